"""In real Chromium: the vendored partial plotly.js draws every chart kind the app uses, under the CSP."""

from __future__ import annotations

import pytest

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from tests.browser import live_server

pytestmark = pytest.mark.browser

# Set up before any page script runs, so a violation during plotly's start is caught too.
CSP_WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watched_page(context):
    """A new page that records console errors, page errors and CSP violations."""
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return page


def drawn_radar(page) -> dict[str, int]:
    """Wait for the radar; count its traces in the figure and those drawn, filled and not."""
    page.wait_for_selector("#radar .polarlayer .trace")
    counts: dict[str, int] = page.evaluate(
        """() => {
          const radar = document.getElementById("radar"), polar = radar.querySelector(".polarlayer");
          return {
            traces: radar.data.length,
            bands: radar.data.filter((t) => t.fill === "toself").length,
            drawn: polar.querySelectorAll(".trace.scatter").length,
            filled: polar.querySelectorAll(".trace.scatter path.js-fill").length,
            axes: polar.querySelectorAll("g.angularaxistick").length,
          };
        }"""
    )
    return counts


def test_report_and_dashboard_charts(app, browser):
    path = app.config["SELFASSESS_DATABASE"]
    bank = app.extensions["selfassess_catalog"].get("go-international")
    tokens = create_demo_data(path, [bank], 60, seed=9)
    db = store.connect(path)
    owner = accounts.add(db, "lead@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, bank.id, "Charts")
    with db.conn:
        db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
    db.conn.close()
    dimensions = len(bank.dimensions)
    with live_server(app) as server:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = watched_page(context)
        scripts: list[tuple[str, str | None]] = []
        page.on(
            "response", lambda r: scripts.append((r.url, r.headers.get("content-encoding"))) if ".js" in r.url else None
        )

        page.goto(f"{server}/r/{tokens[0]}/report")
        radar = drawn_radar(page)
        assert radar["traces"] >= 1  # your scores, and the peers' band and median when there are peers
        assert (radar["drawn"], radar["filled"], radar["axes"]) == (radar["traces"], radar["bands"], dimensions)
        bundle = [(url, encoding) for url, encoding in scripts if "/vendor/" in url]
        assert bundle == [(f"{server}/static/vendor/plotly-selfassess-4.1.1.min.js", "br")]

        page.goto(f"{server}/facilitator/login")
        page.fill("#email", "lead@agency.eu")
        page.fill("#password", "a long password")
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(f"{server}/facilitator/cohorts/{cohort.code}")
        radar = drawn_radar(page)
        assert radar == {"traces": 2, "bands": 1, "drawn": 2, "filled": 1, "axes": dimensions}  # band, median
        page.wait_for_selector("#boxes .boxlayer .trace")
        boxes = page.locator("#boxes .boxlayer .trace.boxes")
        assert boxes.count() == dimensions
        assert page.locator("#boxes .boxlayer path.box").count() == dimensions
        assert page.locator("#boxes .boxlayer .points path.point").count() >= 20  # boxpoints: all
        assert page.locator("#boxes .xaxislayer-above .xtick").count() == dimensions

        assert page.evaluate("window.cspViolations") == []
        assert page.evaluate("document.querySelectorAll('style').length") == 0  # plotly injected none
        assert page.problems == []
        context.close()
