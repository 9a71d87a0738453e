"""In real Chromium: a facilitator's dashboard of 30 demo providers, an overlay of three, an export."""

from __future__ import annotations

import pytest

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from tests.browser import ARTIFACTS, axe_violations, live_server

pytestmark = pytest.mark.browser


def test_dashboard(app, browser, tmp_path):
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = create_demo_data(path, [bank], 30, seed=12)
    db = store.connect(path)
    owner = accounts.add(db, "lead@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Erasmus+-accredited VET providers 2026")
    with db.conn:
        db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
    db.conn.close()
    with live_server(app) as server:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{server}/facilitator/")
        assert "/facilitator/login" in page.url
        assert axe_violations(page) == []  # the login page
        page.fill("#email", "lead@agency.eu")
        page.fill("#password", "a long password")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert axe_violations(page) == []  # the list of cohorts
        page.click("text=Erasmus+-accredited VET providers 2026")
        page.wait_for_selector("#radar .main-svg")
        assert "30 started, 30 submitted." in page.inner_text("main")
        rows = page.locator("table.heatmap tbody tr")
        assert rows.count() == 30
        assert rows.first.locator("td[class^=level-]").count() == 10  # colour, and the level written out
        assert axe_violations(page) == []
        # Overlay three providers on the cohort radar.
        for i in range(3):
            page.locator("table.heatmap tbody input[name=compare]").nth(i).check()
        with page.expect_navigation():
            page.click("text=Compare the ticked providers")
        page.wait_for_selector("#radar .main-svg")
        names = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
        assert names[:2] == ["Cohort: middle half", "Cohort: median"] and len(names) == 5
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        # Export download.
        with page.expect_download() as download:
            page.click("text=Results (CSV)")
        saved = tmp_path / "export.csv"
        download.value.save_as(saved)
        text = saved.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("response,organisation,status")
        assert len(text.splitlines()) == 31
        assert errors == []
        context.close()
