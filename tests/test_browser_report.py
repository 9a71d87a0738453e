"""In real Chromium: the report with its radar chart, peer groups, and axe-core."""

from __future__ import annotations

import re

import pytest

from selfassess.demo import create_demo_data
from tests.browser import ARTIFACTS, axe_violations, live_server

pytestmark = pytest.mark.browser


def test_report_with_peers(app, browser):
    bank = app.extensions["selfassess_catalog"].get("go-international")
    # Enough providers for released figures in the groups used, and little noise so that they differ plainly.
    app.config.update(SELFASSESS_PRIVACY_EPSILON=50.0, SELFASSESS_PRIVACY_YEARLY_EPSILON=10_000.0)
    tokens = create_demo_data(app.config["SELFASSESS_DATABASE"], [bank], 700, seed=9)
    with live_server(app) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{server}/r/{tokens[0]}/report?lang=en")  # a demo provider answers in its own language
        page.wait_for_selector("#radar .main-svg")
        traces = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
        # 700 peers release a median; quartiles (and their band) only from 1,000 (privacy.QUARTILES_FROM).
        assert traces == ["Peers: median", "Your scores"]
        assert page.locator("#radar path.js-line, #radar .scatterlayer .trace").count() >= 3
        assert errors == []
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

        # Switching the peer group (the select submits itself) changes the figures.
        with page.expect_navigation():
            page.select_option("#peers", "provider_type")
        assert "peers=provider_type" in page.url
        page.wait_for_selector("#radar .main-svg")
        group_text = page.inner_text(".peers")
        everyone = app.test_client().get(f"/r/{tokens[0]}/report.json").get_json()["peers"]
        group = app.test_client().get(f"/r/{tokens[0]}/report.json?peers=provider_type").get_json()["peers"]
        assert group["overall"] is not None and group["overall"] != everyone["overall"]
        assert f"Private figures from {group['peers']} peers" in group_text  # a band, never an exact count
        shown = page.locator("table.scores tbody tr").first.locator("td").nth(3).inner_text()
        assert shown.startswith(str(group["dimensions"]["strategy"]["median"]))
        assert axe_violations(page) == []

        # Printing: the print stylesheet hides the controls and keeps the chart.
        page.emulate_media(media="print")
        assert page.locator(".peer-form").is_hidden()
        assert page.locator("#radar").is_visible()
        pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2  # a one- or two-page report
        page.close()
