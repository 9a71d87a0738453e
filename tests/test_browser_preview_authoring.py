"""In real Chromium: the preview shows ids, advice and a report, fits small screens, and wires show_if across dimensions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import ARTIFACTS, axe_violations, live_server

pytestmark = pytest.mark.browser

BANK = """\
id: authoring
version: "1"
title: {en: Mobility with a rather long title for a narrow screen, da: Mobilitet}
languages: [en, da]
draft_languages: [sv]
rubric:
  levels:
    - {id: starting, min: 0, label: {en: Starting, da: Begyndende}}
    - {id: established, min: 60, label: {en: Established, da: Etableret}}
dimensions:
  - id: preparation_and_internationalisation_strategy
    title: {en: Preparation and internationalisation strategy, da: Forberedelse og internationaliseringsstrategi}
    questions:
      - {id: mob_hosts, type: yesno, text: {en: Do you have host companies?, da: Har I værtsvirksomheder?}}
    feedback:
      starting: {en: Find one host company you trust., da: "Find én værtsvirksomhed, I har tillid til."}
      established: {en: Keep your hosts close., da: Hold jeres værter tæt.}
  - id: reach
    title: {en: Reach, da: Udbredelse}
    questions:
      - {id: reach_share, type: yesno, text: {en: Do many learners go?, da: Rejser mange elever?}}
      - id: reach_hosts_why
        type: yesno
        show_if: {question: mob_hosts, equals: "no"}
        text: {en: Have you looked for host companies?, da: Har I ledt efter værtsvirksomheder?}
    feedback:
      established: {en: Widen your reach to more programmes., da: Udvid til flere uddannelser.}
"""


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_preview_shows_ids_advice_report_and_fits(browser, tmp_path, viewport):
    from selfassess.web.preview import create_preview_app

    bank = tmp_path / "authoring.yaml"
    bank.write_text(BANK, encoding="utf-8")
    with live_server(create_preview_app(bank)) as server:
        width, height = viewport
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(server + "/")
        assert page.is_visible("text=id: mob_hosts")
        # The question on the other dimension's page appears once its condition holds, and goes again.
        assert not page.is_visible("#q-reach_hosts_why")
        assert not page.is_visible("text=id: reach_hosts_why")
        page.check("input[name=mob_hosts][value=no]")
        page.wait_for_selector("#q-reach_hosts_why", state="visible")
        assert page.is_visible("text=id: reach_hosts_why")
        page.check("input[name=reach_share][value=yes]")
        page.check("input[name=reach_hosts_why][value=yes]")
        advice = "[data-advice='preparation_and_internationalisation_strategy']"
        expect(page.locator(advice)).to_have_text("Find one host company you trust.")
        assert page.inner_text("[data-advice='reach']") == "Widen your reach to more programmes."
        assert page.inner_text("#report-level") == "Overall level: Starting"
        assert page.inner_text("#report-summary") == (
            "Strongest: Reach. Weakest: Preparation and internationalisation strategy."
        )
        page.check("input[name=mob_hosts][value=yes]")
        page.wait_for_selector("#q-reach_hosts_why", state="hidden")
        expect(page.locator(advice)).to_have_text("Keep your hosts close.")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right + window.scrollX > "
            "document.documentElement.clientWidth + 0.5).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' "
            "+ Math.round(e.getBoundingClientRect().right + window.scrollX) + ' ' + e.textContent.slice(0, 30))"
        )
        panel_fits = page.evaluate(
            "(() => { const a = document.querySelector('.preview-scores'), t = a.querySelector('table');"
            " return t.getBoundingClientRect().right <= a.getBoundingClientRect().right + 0.5; })()"
        )
        assert panel_fits
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"preview-authoring-{width}.png"), full_page=True)

        # A draft language is offered to the author, marked as a draft.
        assert "(draft)" in page.inner_text(".language-switch")
        page.goto(server + "/?lang=sv")
        assert page.is_visible(".draft-note")
        assert errors == []
        page.close()
