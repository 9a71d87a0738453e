"""In real Chromium: "Don't know", "No data" and the source of a figure, by keyboard; the report's gaps and links."""

from __future__ import annotations

import pytest

from selfassess.web import create_app
from tests.browser import ARTIFACTS, axe_violations, live_server
from tests.test_browser_take import answer_page_by_keyboard, focused
from tests.test_format_v2 import TEXT

pytestmark = pytest.mark.browser

ANSWERS = {
    "country": "NO",
    "learners": 340,
    "learners.source": "register",
    "_organisation": "Bergen tekniske fagskole",
    "prep_language": "dk",
    "prep_agreement": "no",
    "prep_tools": ["dk"],
    "reach_share": 12,
    "reach_share.source": "estimate",
    "reach_funding": "dk",
    "rec_agreement": "yes",
    "rec_return": "no",
}


@pytest.fixture
def server(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "format-v2.yaml").write_text(TEXT, encoding="utf-8")
    app = create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SELFASSESS_QUESTIONNAIRES": str(folder),
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
        }
    )
    with live_server(app) as url:
        yield url


def tab_to(page, selector: str) -> None:
    """Press Tab until the element *selector* has the focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return
    raise AssertionError(f"never reached {selector} by Tab")


def test_dont_know_no_data_and_sources_by_keyboard(server, browser, engine):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(server + "/")
    page.click("button:has-text('Start')")
    assert page.url.endswith("/page/1")
    answer_page_by_keyboard(page, ANSWERS)
    answer_page_by_keyboard(page, ANSWERS)
    assert page.url.endswith("/page/3")

    # "No data" hides the question about the figure's source; unticking it brings it back.
    source = page.locator("fieldset[data-source-of=reach_share]")
    assert source.is_visible()
    assert page.inner_text("label[for=reach_share-dk]") == "No data"
    tab_to(page, "#reach_share-dk")
    page.keyboard.press("Space")
    assert page.locator("#reach_share-dk").is_checked() and source.is_hidden()
    page.keyboard.press("Space")
    assert source.is_visible()
    # The sources are one radio group: arrow keys move within it.
    tab_to(page, "[name='reach_share.source']")
    assert focused(page)["value"] == "register"
    page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == "records" and focused(page)["checked"]
    page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == "estimate" and focused(page)["checked"]
    violations = axe_violations(page)
    assert violations == [], violations
    shot = ARTIFACTS / "format-v2-figure-page.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)

    page.goto(page.url)  # a fresh page: a reload may bring back what was ticked
    answer_page_by_keyboard(page, ANSWERS)
    answer_page_by_keyboard(page, ANSWERS)
    assert page.url.endswith("/review")
    review = page.locator("main").text_content()  # the answers sit in a closed <details>
    assert "12 % · Estimate" in review and "340 · Register or audited data" in review, review
    with page.expect_navigation():
        page.click("button:has-text('Submit')")
    assert page.url.endswith("/report")
    assert (
        page.inner_text(".knowledge-gaps-total")
        == "Not known: 3 questions answered “Don't know” or “No data”, knowledge gaps to close."
    )
    gaps = page.locator(".knowledge-gap[data-dimension=preparation] li")
    assert gaps.all_inner_texts() == [
        "Learners get language preparation before they leave. (answered “Don't know”)",
        "Which tools do learners use? (answered “Don't know”)",
    ]
    assert page.locator(".action-plan .resources").first.is_hidden()  # for paper only
    link = page.locator("#advice-heading ~ .resources a", has_text="Europass Mobility")
    assert link.get_attribute("href") == "https://europass.europa.eu/en/europass-digital-tools/europass-mobility"
    assert "12 % · Estimate" in page.inner_text(".figures")
    violations = axe_violations(page)
    assert violations == [], violations
    page.screenshot(path=str(ARTIFACTS / "format-v2-report.png"), full_page=True)
    # On paper each link shows its address after its title.
    page.emulate_media(media="print")
    printed = page.locator(".action-plan .resources a", has_text="Europass Mobility")
    assert printed.is_visible() and page.locator("section.advice").is_hidden()
    after = printed.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://europass.europa.eu/en/europass-digital-tools/europass-mobility" in after, after
    page.screenshot(path=str(ARTIFACTS / "format-v2-report-print.png"), full_page=True)
    context.close()
