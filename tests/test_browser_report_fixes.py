"""In real Chromium, the issue-15 walk's findings: the printed report (two pages, no language links, nothing
said of unprinted sections), a readable printed radar, pages that fit a phone, headers broken between words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from tests.browser import ARTIFACTS, axe_violations, live_server
from tests.conftest import SHIPPED, fresh_database

pytestmark = pytest.mark.browser

# Per label of a chart: its box and its lines; the chart's box; the radial ticks' boxes ("100").
RADAR = """() => {
  const chart = document.getElementById('radar');
  const box = r => { const b = r.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  return {
    box: box(chart),
    labels: Array.from(chart.querySelectorAll('.angularaxistick text')).map(t => ({
      lines: t.querySelectorAll('tspan.line').length ? Array.from(t.querySelectorAll('tspan.line')).map(l => l.textContent) : [t.textContent],
      box: box(t)})),
    ticks: Array.from(chart.querySelectorAll('.xtick text')).map(box),
  };
}"""

# Words of the headers that the browser broke across two lines (a word in one line has one box).
BROKEN_WORDS = """(selector) => {
  const broken = [];
  document.querySelectorAll(selector).forEach(th => {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A break after a hyphen ("well-" "being") or at a soft hyphen report.js put at a compound's joint
      // ("Medarbejder-" "mobilitet") is a break between words, not in one.
      const re = /[^\\s\\-\\u00ad]+/g;
      let m;
      while ((m = re.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (Array.from(range.getClientRects()).filter(r => r.width > 0.5).length > 1) { broken.push(m[0]); }
      }
    }
  });
  return broken;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The shipped banks with demo data: solity providers in a facilitator's cohort, go-international rounds."""
    from selfassess.web import create_app

    folder = tmp_path_factory.mktemp("fixes")
    with fresh_database("sqlite", folder, "fixes.db") as path:
        app = create_app(
            {
                "SELFASSESS_DATABASE": path,
                "SECRET_KEY": "test",
                "TESTING": True,
                "SELFASSESS_RATE_LIMIT": "100000 per minute",
                "SELFASSESS_QUESTIONNAIRES": str(SHIPPED),
            }
        )
        catalog = app.extensions["selfassess_catalog"]
        # One call: the demo adds its organisations once. 150 providers: a peer median, no quartiles.
        tokens = create_demo_data(path, [catalog.get("solity"), catalog.get("go-international")], 150, seed=15)
        db = store.connect(path)
        solity = [
            t
            for t in tokens
            if db.conn.execute("SELECT bank_id FROM responses WHERE token = ?", [t]).fetchone()[0] == "solity"
        ]
        db.conn.close()
        db = store.connect(path)
        owner = accounts.add(db, "lead@agency.eu", "a long password")
        cohort = cohorts.create(db, owner.id, "solity", "Organismes de formation des Hauts-de-France 2026")
        with db.conn:
            db.conn.executemany(
                "UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in solity[:20]]
            )
        coordinators = [
            row[0]
            for row in db.conn.execute(
                "SELECT r.token FROM rounds x JOIN responses r ON r.id = x.response_id"
                " WHERE x.status = 'closed' ORDER BY x.id LIMIT 1"
            )
        ]
        db.conn.close()
        with live_server(app) as server:
            yield {"server": server, "report": solity[0], "cohort": cohort.code, "coordinator": coordinators[0]}


def fitted(page: Any) -> None:
    """Wait until report.js has laid every chart out for its present size."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-figure]'))"
        ".every(c => c.getAttribute('data-fitted') === c.clientWidth + 'x' + c.clientHeight)"
    )


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def radar_problems(page: Any) -> list[str]:
    """Labels outside the chart, labels on each other, a tick on a label."""
    radar = page.evaluate(RADAR)
    left, top, right, bottom = radar["box"]
    problems = []
    labels = radar["labels"]
    for i, label in enumerate(labels):
        x0, y0, x1, y1 = label["box"]
        if x0 < left - 1 or y0 < top - 1 or x1 > right + 1 or y1 > bottom + 1:
            problems.append(f"{label['lines']} is outside the chart {radar['box']}: {label['box']}")
        problems += [
            f"{label['lines']} covers {other['lines']}"
            for other in labels[i + 1 :]
            if overlap(label["box"], other["box"])
        ]
        problems += [f"a tick covers {label['lines']}" for tick in radar["ticks"] if overlap(tick, label["box"])]
    return problems


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fixes-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["fr", "da", "en"])
def test_printed_report_two_pages_and_says_nothing_of_what_it_leaves_out(
    browser: Any, site: dict[str, Any], lang: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site['server']}/r/{site['report']}/report?lang={lang}")
    fitted(page)
    assert page.locator(".language-switch").is_visible()
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 1000})  # A4 within its margins
    fitted(page)
    assert page.locator(".language-switch").is_hidden()
    assert page.locator(".advice").is_hidden()
    assert page.locator(".action-plan p.no-print").is_hidden()  # "Read the advice … below"
    assert page.locator(".action-plan p.print-only").is_visible()
    assert radar_problems(page) == []
    shot(page, f"print-{lang}")
    pdf = page.pdf(path=str(ARTIFACTS / f"fixes-print-{lang}.pdf"), format="A4")
    assert pdf_pages(pdf) <= 2
    page.close()


@pytest.mark.parametrize("lang", ["nb", "da"])
def test_printed_organisation_radar_is_readable(browser: Any, site: dict[str, Any], lang: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site['server']}/c/{site['coordinator']}/report?lang={lang}")
    fitted(page)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 1000})
    fitted(page)
    assert page.locator(".language-switch").is_hidden()
    assert page.locator("#radar").bounding_box()["height"] >= 450  # 30rem: room for nine long names
    assert radar_problems(page) == []
    shot(page, f"organisation-print-{lang}")
    page.close()


@pytest.mark.parametrize(("lang", "path"), [("fr", "report"), ("da", "report"), ("da", "organisation")])
def test_phone_radar_labels_fit_and_break_between_words(
    browser: Any, site: dict[str, Any], lang: str, path: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    url = f"/r/{site['report']}/report" if path == "report" else f"/c/{site['coordinator']}/report"
    page.goto(f"{site['server']}{url}?lang={lang}")
    fitted(page)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert radar_problems(page) == []
    titles = page.evaluate("JSON.parse(document.getElementById('radar').getAttribute('data-figure')).titles")
    lines = [line for label in page.evaluate(RADAR)["labels"] for line in label["lines"]]
    for word in {w for title in titles for w in title.split() if len(w) <= 15}:
        # A word that fits is never split ("kvalifika-tioner"); a line never holds a short word alone.
        assert any(word in line for line in lines), (word, lines)
    assert not [line for line in lines if len(line) <= 3], lines
    shot(page, f"phone-{path}-{lang}")
    page.close()


def login(page: Any, server: str, lang: str) -> None:
    page.goto(f"{server}/facilitator/login?lang={lang}")
    page.fill("#email", "lead@agency.eu")
    page.fill("#password", "a long password")
    with page.expect_navigation():
        page.click("main button[type=submit]")


@pytest.mark.parametrize("lang", ["da", "fr"])
def test_cohort_list_fits_a_phone(browser: Any, site: dict[str, Any], lang: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, site["server"], lang)
    page.goto(f"{site['server']}/facilitator/?lang={lang}")
    assert page.locator("table.cohort-list").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_violations(page) == []
    shot(page, f"cohorts-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["da", "fr", "en"])
def test_dashboard_headers_break_between_words(browser: Any, site: dict[str, Any], lang: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, site["server"], lang)
    page.goto(f"{site['server']}/facilitator/cohorts/{site['cohort']}?lang={lang}")
    assert page.evaluate(BROKEN_WORDS, "table.heatmap thead th, table.participation thead th") == []
    last = page.locator("table.heatmap thead th").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= 1280  # the heat map still fits a laptop
    page.goto(f"{site['server']}/r/{site['report']}/report?lang={lang}")
    assert page.evaluate(BROKEN_WORDS, "table.scores thead th") == []
    context.close()
