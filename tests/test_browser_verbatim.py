"""In real Chromium: a bank's texts are shown exactly as written, whatever they contain.

Every text of tests/fixtures/verbatim.yaml ends in SUFFIX: the markers the old page
compiler cut rendered pages at (987654321, 987654323, zzTOKENzz), Jinja's ``{{ }}``,
Python's ``%(name)s``, an HTML tag, an HTML entity and a right-to-left mark. Each must
reach the screen as those characters: not 49, not a count or a token in place of a
marker, ``<b>`` as text and not bold, ``&amp;`` as five characters, the mark kept.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import live_server
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser

RLM = "\u200f"
NEEDLES = ("987654321", "987654323", "zzTOKENzz", "{{ 7*7 }}", "%(name)s", "<b>bold</b>", "&amp;", RLM)
SUFFIX = f"987654321 987654323 zzTOKENzz {{{{ 7*7 }}}} %(name)s <b>bold</b> &amp; {RLM} end"
assert all(needle in SUFFIX for needle in NEEDLES)


def t(prefix: str) -> str:
    """The fixture's text that starts with *prefix*."""
    return f"{prefix} {SUFFIX}"


BANK = FIXTURES / "verbatim.yaml"
PREFIXES = (
    "Title", "Description", "Level low", "Level low description", "Level high", "Level high description",
    "Scale low", "Scale mid", "Scale high", "Profile question", "Profile help", "Profile option A", "Profile option B",
    "Dimension plan", "Dimension plan description", "Scale question", "Scale help",
    "Choice question", "Choice option none", "Choice option full", "Optional question", "Optional help",
    "Advice plan low", "Advice plan high",
    "Dimension reach", "Dimension reach description", "Multi question", "Multi help",
    "Multi option firms", "Multi option schools", "Yes-no question", "Advice reach low", "Advice reach high",
)  # fmt: skip
TITLE = t("Title")
PLAN, REACH = t("Dimension plan"), t("Dimension reach")
LOW, HIGH = t("Level low"), t("Level high")
ORGANISATION = t("Organisation")  # typed by the respondent; shown on the report
SCALE = [t("Scale low"), t("Scale mid"), t("Scale high")]

# Per page: its name (h1), its lead text, and its questions as (id, text, help, option labels).
PAGES: dict[int, dict[str, Any]] = {
    1: {
        "name": "About your organisation",
        "lead": None,
        "questions": [
            ("kind", t("Profile question"), t("Profile help"), [t("Profile option A"), t("Profile option B")]),
        ],
    },
    2: {
        "name": PLAN,
        "lead": t("Dimension plan description"),
        "questions": [
            ("plan_scale", t("Scale question"), t("Scale help"), SCALE),
            ("plan_choice", t("Choice question"), None, [t("Choice option none"), t("Choice option full")]),
            ("plan_note", t("Optional question") + " (optional)", t("Optional help"), None),
        ],
    },
    3: {
        "name": REACH,
        "lead": t("Dimension reach description"),
        "questions": [
            ("reach_hosts", t("Multi question"), t("Multi help"), [t("Multi option firms"), t("Multi option schools")]),
            ("reach_yn", t("Yes-no question"), None, ["Yes", "No"]),
        ],
    },
}
# What the respondent answers, page by page: plan scores 50 (high), reach 25 (low), plan_note stays empty.
ANSWERS: dict[int, dict[str, str]] = {
    1: {"kind": "school"},
    2: {"plan_scale": "3", "plan_choice": "none"},
    3: {"reach_hosts": "firms", "reach_yn": "no"},
}
ASKED = 6  # no question has a show_if: all six are asked
ANSWERED_BEFORE = {1: 0, 2: 1, 3: 3}  # on the way through; 5 at the end (plan_note stays empty)


@pytest.fixture
def server(tmp_path: Path, database: str) -> Iterator[str]:
    """The app on 127.0.0.1, with a questionnaires folder holding only the verbatim bank."""
    from selfassess.web import create_app

    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(BANK, folder / BANK.name)
    app = create_app(
        {
            "SELFASSESS_QUESTIONNAIRES": str(folder),
            "SELFASSESS_DATABASE": database,
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    with live_server(app) as url:
        yield url


def text(page: Any, selector: str) -> str:
    return page.locator(selector).inner_text()


def texts(page: Any, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def assert_no_markup_from_texts(page: Any) -> None:
    """``<b>`` in a text is shown as text: no template puts a <b> element on the page."""
    assert page.locator("b").count() == 0


def start(page: Any, server: str) -> str:
    """Start the assessment from the home page; return the response's token."""
    page.goto(server + "/")
    assert text(page, ".bank-card h2") == TITLE
    assert text(page, ".bank-card > p") == t("Description")
    with page.expect_navigation():
        page.click(".bank-card button:has-text('Start')")
    match = re.fullmatch(re.escape(server) + r"/r/([A-Za-z0-9_-]+)/page/1", page.url)
    assert match, page.url
    return match[1]


def answer(page: Any, number: int) -> None:
    """Answer page *number* (by input names and values, never by the texts) and go on."""
    if number == 1:
        page.fill("#organisation", ORGANISATION)
    for name, value in ANSWERS[number].items():
        page.check(f"input[name={name}][value='{value}']")
    with page.expect_navigation():
        page.click("button[name=action][value=next]")


def check_question_page(page: Any, token: str, number: int, answered: int) -> None:
    spec = PAGES[number]
    assert page.title() == f"{spec['name']} – {TITLE} – selfassess"
    assert text(page, ".bank-name") == TITLE
    assert text(page, "main h1") == spec["name"]
    if spec["lead"]:
        assert text(page, ".lead") == spec["lead"]
    progress = re.fullmatch(
        r"Page (\d+) of (\d+) · (\d+) of (\d+) questions answered", " ".join(text(page, ".progress-text").split())
    )
    assert progress, text(page, ".progress-text")
    assert [int(n) for n in progress.groups()] == [number, len(PAGES), answered, ASKED]
    for qid, question, help_text, options in spec["questions"]:
        block = f"#q-{qid}"
        assert text(page, f"{block} legend, {block} label.question-label") == question, qid
        if help_text:
            assert text(page, f"#help-{qid}") == help_text, qid
        if options:
            assert texts(page, f"{block} .choice label") == options, qid
    assert texts(page, ".page-list .page-name")[:3] == ["About your organisation", PLAN, REACH]
    # The form posts to this response: the real token, not a marker or a bank text.
    assert page.get_attribute("#page-form", "action") == f"/r/{token}/page/{number}"
    assert_no_markup_from_texts(page)


def test_the_fixture_carries_every_string() -> None:
    from selfassess.bank.loader import load_bank

    bank = load_bank(BANK)
    found = [bank.title.get(), bank.description.get() if bank.description else ""]
    for level in bank.rubric.levels:
        found += [level.label.get(), level.description.get() if level.description else ""]
    for dim in bank.dimensions:
        found += [dim.title.get(), dim.description.get() if dim.description else ""]
        found += [advice.get() for advice in dim.feedback.values()]
    for question in bank.questions:
        found += [question.text.get(), question.help.get() if question.help else ""]
        found += [opt.label.get() for opt in question.options or ()]
    assert {f for f in found if f} == {t(prefix) for prefix in PREFIXES}


def test_question_pages_show_texts_verbatim(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    token = start(page, server)
    for number in PAGES:
        assert page.url == f"{server}/r/{token}/page/{number}"
        check_question_page(page, token, number, ANSWERED_BEFORE[number])
        answer(page, number)
    assert page.url == f"{server}/r/{token}/review"
    page.goto(f"{server}/r/{token}/page/2")  # a page seen again, with its answers in place
    check_question_page(page, token, 2, answered=5)
    assert page.locator("input[name=plan_scale][value='3']").is_checked()
    context.close()


def test_review_and_report_show_texts_verbatim(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    token = start(page, server)
    for number in PAGES:
        answer(page, number)

    # The review page: the optional question left unanswered is listed by its text.
    assert page.url == f"{server}/r/{token}/review"
    assert page.title() == f"Review and submit – {TITLE} – selfassess"
    assert text(page, ".bank-name") == TITLE
    assert " ".join(text(page, ".progress-text").split()) == "Page 3 of 3 · 5 of 6 questions answered"
    assert page.locator(".ready").is_visible()
    page.click("details.review-section:not(.answers-section) summary")
    assert text(page, "details.review-section:not(.answers-section) summary") == "1 optional question is unanswered"
    assert text(page, "h3.missing-page") == f"Page 2 of 3: {PLAN}"
    assert texts(page, "ul.missing a") == [t("Optional question")]
    assert page.get_attribute("ul.missing a", "href") == f"/r/{token}/page/2#q-plan_note"
    assert page.get_attribute("form.actions", "action") == f"/r/{token}/submit"
    assert_no_markup_from_texts(page)

    # The report: titles, level labels and descriptions, advice.
    with page.expect_navigation():
        page.click("button:has-text('Submit and see results')")
    assert page.url == f"{server}/r/{token}/report"
    assert page.title() == f"Your results – {TITLE} – selfassess"
    assert re.fullmatch(re.escape(f"{TITLE} · {ORGANISATION} · ") + r"\d{4}-\d\d-\d\d", text(page, ".bank-name"))
    assert text(page, ".overall-score") == f"38 / 100 · {LOW}"
    overall = texts(page, ".overall p")
    assert t("Level low description") in overall
    assert f"Strongest: {PLAN}. Weakest: {REACH}." in overall
    assert texts(page, "table.scores tbody th") == [PLAN, REACH]
    assert [texts(page, f"table.scores tbody tr >> nth={i} >> td")[:2] for i in (0, 1)] == [
        ["50", HIGH],
        ["25", LOW],
    ]
    assert texts(page, ".action-plan li") == [f"{REACH}: 25, {LOW}", f"{PLAN}: 50, {HIGH}"]  # the advice once, below
    assert texts(page, "#advice-heading ~ h3") == [f"{PLAN} – {HIGH}", f"{REACH} – {LOW}"]
    assert texts(page, "#advice-heading ~ p") == [t("Advice plan high"), t("Advice reach low")]
    chosen = t("Profile option A" if ANSWERS[1]["kind"] == "school" else "Profile option B")
    assert texts(page, "#peers option")[1] == f"Answered “{chosen}”, as you did, to “{t('Profile question')}”"
    assert_no_markup_from_texts(page)
    context.close()


def test_report_radar_shows_dimension_titles_verbatim(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    token = start(page, server)
    for number in PAGES:
        answer(page, number)
    with page.expect_navigation():
        page.click("button:has-text('Submit and see results')")
    assert page.url == f"{server}/r/{token}/report"
    assert page.title() == f"Your results – {TITLE} – selfassess"
    page.wait_for_selector("#radar .angularaxistick text", timeout=10_000)
    # An axis title is broken into lines (tspan.line) at spaces; joined again, each must be the title.
    labels = page.locator("#radar .angularaxistick text").evaluate_all(
        "els => els.map(e => Array.from(e.querySelectorAll(':scope > tspan.line')).map(l => l.textContent))"
    )
    shown = [" ".join(lines) for lines in labels]
    bold = page.locator("#radar tspan[style*=bold]").count()
    context.close()
    assert shown == [PLAN, REACH]
    assert bold == 0


def test_preview_shows_texts_verbatim(browser: Any, tmp_path: Path) -> None:
    from selfassess.web.preview import create_preview_app

    bank = tmp_path / BANK.name
    shutil.copy(BANK, bank)
    with live_server(create_preview_app(bank)) as server:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server + "/")
        assert page.title() == f"Preview – {TITLE} – selfassess"
        assert text(page, "main h1") == TITLE
        assert texts(page, ".preview-questions h2") == ["About your organisation", PLAN, REACH]
        for spec in PAGES.values():
            for qid, question, help_text, options in spec["questions"]:
                block = f"#q-{qid}"
                assert text(page, f"{block} legend, {block} label.question-label") == question, qid
                if help_text:
                    assert text(page, f"#help-{qid}") == help_text, qid
                if options:
                    assert texts(page, f"{block} .choice label") == options, qid
        assert texts(page, ".preview-scores tbody th") == [PLAN, REACH]
        # The levels come from the server as JSON once answers are scored.
        for number in (2, 3):
            for name, value in ANSWERS[number].items():
                page.check(f"input[name={name}][value='{value}']")
        expect(page.locator("tr[data-dimension='reach'] .dim-score")).to_have_text("25.0")
        expect(page.locator("tr[data-dimension='plan'] .dim-score")).to_have_text("50.0")
        assert texts(page, ".preview-scores .dim-level") == [HIGH, LOW]
        assert text(page, "#overall-score") == f"37.5 · {LOW}"
        assert_no_markup_from_texts(page)
        context.close()
