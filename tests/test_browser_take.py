"""In real Chromium: complete go-international by keyboard alone, close midway, resume by the link, submit."""

from __future__ import annotations

import random
import re

import pytest

from selfassess.bank.synthetic import random_answers
from selfassess.scoring.engine import score
from tests.browser import ARTIFACTS, axe_violations, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app):
    with live_server(app) as url:
        yield url


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', value: e.value || '',
                          id: e.id || '', checked: !!e.checked, text: (e.innerText || '').trim()}; }"""
    )


def answer_page_by_keyboard(page, answers: dict, action: str = "next") -> None:
    """Tab through the page; answer each control with the keyboard; press the *action* button."""
    url = page.url
    done_groups: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        el = focused(page)
        if el["tag"] == "button" and el["value"] == action:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator(".error-summary").count() == 0, page.inner_text(".error-summary")
            return
        wanted = answers.get(el["name"])
        if el["type"] == "radio" and el["name"] not in done_groups:
            done_groups.add(el["name"])
            if wanted is None:
                continue
            # Arrow keys move through a radio group and select; stop at the wanted value.
            for _ in range(12):
                if focused(page)["value"] == str(wanted):
                    page.keyboard.press("Space")
                    break
                page.keyboard.press("ArrowDown")
            assert focused(page)["checked"], f"could not choose {wanted!r} for {el['name']}"
        elif el["type"] == "checkbox" and isinstance(wanted, list):
            if (el["value"] in [str(w) for w in wanted]) != el["checked"]:
                page.keyboard.press("Space")
        elif el["type"] == "number" and wanted is not None:
            page.keyboard.type(f"{wanted:g}" if isinstance(wanted, float) else str(wanted))
        elif el["tag"] == "textarea" and isinstance(wanted, str):
            page.keyboard.type(wanted)
        elif el["id"] == "organisation":
            page.keyboard.type(answers["_organisation"])
    raise AssertionError(f"never reached the {action!r} button on {url}")


def test_keyboard_only_with_a_break_in_the_middle(app, server, browser):
    bank = app.extensions["selfassess_catalog"].get("go-international")
    answers = random_answers(bank, random.Random(11), 0.55)
    # Keep it to plain keyboard answers: "not applicable" becomes the question's first option.
    for qid, value in list(answers.items()):
        if value == "na":
            question = bank.question(qid)
            answers[qid] = question.options[0].value if question.options else "yes"
    answers["_organisation"] = "Bergen Fagskole"
    answers["mob_incoming"] = "yes"  # reveals a follow-up question on the same page, via the script
    answers["mob_incoming_how"] = "Local companies and host families"

    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/?lang=nb")
    # From the top of the page to the first "Start" button, by keyboard.
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page)["tag"] == "button" and "Start" in focused(page)["text"]:
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/r/[^/]+/page/1$", page.url)
    token = page.url.split("/")[-3]
    for _ in range(4):
        answer_page_by_keyboard(page, answers)
    assert page.url.endswith("/page/5")
    assert "Side 5 av 10" in page.inner_text(".progress-text")
    answer_page_by_keyboard(page, answers, action="save")
    link = page.input_value("#resume-link")
    assert link == f"{server}/r/{token}"
    context.close()  # the browser is closed midway

    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    assert page.url.endswith("/page/5")  # back where we left off, answers kept
    assert page.locator(f"input[name=staff_share][value='{answers['staff_share']}']").is_checked()
    for _ in range(6):  # pages 5 to 10
        answer_page_by_keyboard(page, answers)
    assert page.url.endswith("/review")
    assert "Alle obligatoriske spørsmål er besvart" in page.inner_text("main")
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page)["text"].startswith("Send inn"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/report")
    expected = score(bank, {k: v for k, v in answers.items() if k != "_organisation"})
    assert page.inner_text(".overall-score .score") == f"{expected.score:.0f}"
    rows = page.locator("table.scores tbody tr")
    assert rows.count() == len(bank.dimensions)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-after-keyboard-run.png"), full_page=True)
    context.close()


def test_show_if_script_reveals_and_hides(server, browser, client):
    page = browser.new_page()
    page.goto(server + "/")
    page.click("button:has-text('Start') >> nth=0")
    page.goto(page.url.replace("/page/1", "/page/4"))
    follow_up = page.locator("#q-mob_incoming_how")
    assert follow_up.is_hidden()
    page.check("input[name=mob_incoming][value=yes]")
    assert follow_up.is_visible()
    page.check("input[name=mob_incoming][value=no]")
    assert follow_up.is_hidden()
    page.close()


def visit_every_kind_of_page(server: str, page) -> dict[str, str]:
    """Walk through the site and return {kind: url} for each kind of page."""
    urls = {"home": server + "/"}
    page.goto(urls["home"])
    page.click("button:has-text('Start') >> nth=0")
    urls["profile page"] = page.url
    token = page.url.split("/")[-3]
    urls["question page"] = f"{server}/r/{token}/page/4"
    page.goto(urls["question page"])
    page.fill("#mob_share", "250")
    page.click("button[value=next]")
    urls["question page with an error"] = page.url
    urls["saved"] = f"{server}/r/{token}/saved"
    urls["review"] = f"{server}/r/{token}/review"
    urls["not found"] = f"{server}/r/no-such-token"
    return urls


def test_axe_finds_no_serious_violations(app, server, browser):
    page = browser.new_page()
    urls = visit_every_kind_of_page(server, page)
    found = {}
    for kind, url in urls.items():
        if kind != "question page with an error":
            page.goto(url)
        found[kind] = axe_violations(page)
        if kind == "question page with an error":
            page.goto(url)
    # A submitted report, and the 409 page of a submitted response.
    from tests.conftest import Respondent
    from tests.test_take_flow import answer_all

    respondent = Respondent(app.test_client())
    bank = app.extensions["selfassess_catalog"].get("go-international")
    answer_all(respondent, bank, random_answers(bank, random.Random(5), 0.5))
    respondent.submit()
    for kind, path in (("report", "/report"), ("already submitted", "/page/2")):
        page.goto(f"{server}/r/{respondent.token}{path}")
        found[kind] = axe_violations(page)
    page.close()
    assert found == {kind: [] for kind in found}


def test_axe_helper_does_find_violations(browser):
    # The scan above is only worth something if the helper reports real problems.
    page = browser.new_page()
    page.set_content("<html><body><main><input type='text'><img src='x.png'></main></body></html>")
    ids = {v["id"] for v in axe_violations(page)}
    page.close()
    assert {"label", "image-alt"} <= ids
