"""In real Chromium: pages that fit a phone (390 × 844) and a laptop (1280 × 800) in every language.

The report, the dashboard, the question pages and the preview never scroll sideways
(``scrollWidth <= clientWidth``), and every label of a chart (dimension names, box-plot names,
legend entries) lies inside its chart. Screenshots go to tests/artifacts/fit-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from selfassess import accounts, cohorts, store
from selfassess.demo import create_demo_data
from tests.browser import ARTIFACTS, axe_violations, live_server
from tests.conftest import ENGINES, V1_BANKS, Respondent, fresh_database

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800)}
LANGUAGES = ["en", "da", "nb"]
LABELS = ".angularaxistick text, .xtick text, .legendtext, .ytick text, .ytitle"  # the last two: box plots

# Each chart's labels, with their boxes and the chart's; report.js marks a chart data-fitted once it has laid it out.
CHART_LABELS = """(selector) => Array.from(document.querySelectorAll('[data-figure]')).map(chart => {
  const box = chart.getBoundingClientRect();
  return {
    chart: chart.id,
    box: [box.left, box.top, box.right, box.bottom],
    labels: Array.from(chart.querySelectorAll(selector)).map(t => {
      const b = t.getBoundingClientRect();
      return {text: t.textContent, kind: t.parentNode.getAttribute('class'), box: [b.left, b.top, b.right, b.bottom]};
    }).filter(l => l.box[2] > l.box[0]),
    // A radar's radial axis draws its numbers as .xtick.
    ticks: Array.from(chart.querySelectorAll('.angularaxistick').length ? chart.querySelectorAll('.xtick text') : []).map(t => {
      const b = t.getBoundingClientRect();
      return {text: t.textContent, box: [b.left, b.top, b.right, b.bottom]};
    }),
  };
})"""


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One app with demo providers in a cohort, a draft per language, and the preview of the shipped bank."""
    from selfassess.web import create_app
    from selfassess.web.preview import create_preview_app

    folder = tmp_path_factory.mktemp("fit")
    with fresh_database(request.param, folder, "fit.db") as path:
        app = create_app(
            {
                "SELFASSESS_DATABASE": path,
                "SECRET_KEY": "test",
                "TESTING": True,
                "SELFASSESS_RATE_LIMIT": "100000 per minute",
            }
        )
        bank = app.extensions["selfassess_catalog"].get("go-international")
        tokens = create_demo_data(path, [bank], 30, seed=16)
        db = store.connect(path)
        owner = accounts.add(db, "lead@agency.eu", "a long password")
        cohort = cohorts.create(db, owner.id, bank.id, "Erasmus+-accredited VET providers in the Nordic countries 2026")
        with db.conn:
            db.conn.executemany("UPDATE responses SET cohort_id = ? WHERE token = ?", [(cohort.id, t) for t in tokens])
        members = [
            row[0] for row in db.conn.execute("SELECT id FROM responses WHERE cohort_id = ? LIMIT 3", (cohort.id,))
        ]
        db.conn.close()
        drafts = {lang: Respondent(app.test_client(), lang=lang).token for lang in LANGUAGES}
        with live_server(app) as server, live_server(create_preview_app(V1_BANKS / "go-international.yaml")) as preview:
            yield {"server": server, "preview": preview, "report": tokens[0], "cohort": cohort.code,
                   "compare": members, "drafts": drafts}  # fmt: skip


def fits(page: Any, name: str) -> list[str]:
    """What does not fit on the page now: a sideways scroll, a chart label outside its chart."""
    problems = []
    page.wait_for_function(
        # A function, not an expression: Playwright evals expressions, which the page's CSP forbids.
        "() => Array.from(document.querySelectorAll('[data-figure]'))"
        ".every(c => c.getAttribute('data-fitted') === c.clientWidth + 'x' + c.clientHeight)"
    )
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] > widths[1]:
        problems.append(f"{name}: the page is {widths[0]} px wide in a {widths[1]} px window")
    for chart in page.evaluate(CHART_LABELS, LABELS):
        left, top, right, bottom = chart["box"]
        for label in chart["labels"]:
            x0, y0, x1, y1 = label["box"]
            if x0 < left - 1 or y0 < top - 1 or x1 > right + 1 or y1 > bottom + 1:
                problems.append(
                    f"{name}: #{chart['chart']} label {label['text']!r} at {label['box']} is outside {chart['box']}"
                )
        names = [label for label in chart["labels"] if label["kind"] == "xtick"] if not chart["ticks"] else []
        for i, first in enumerate(names):  # a box plot's names never run into each other
            for other in names[i + 1 :]:
                if overlap(first["box"], other["box"]):
                    problems.append(f"{name}: #{chart['chart']} {first['text']!r} covers {other['text']!r}")
        for tick in chart["ticks"]:  # a radial tick ("100") never sits on a dimension's label
            for label in chart["labels"]:
                if label is not tick and label["text"] != tick["text"] and overlap(tick["box"], label["box"]):
                    problems.append(f"{name}: #{chart['chart']} tick {tick['text']!r} covers {label['text']!r}")
    return problems


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fit-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_pages_fit(browser: Any, site: dict[str, Any], device: str, lang: str) -> None:
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    server, problems = site["server"], []

    page.goto(f"{server}/r/{site['report']}/report?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    problems += fits(page, "report")
    assert axe_violations(page) == []
    shot(page, f"report-{device}-{lang}")

    drafts = site["drafts"][lang]
    for number in (1, 2):
        page.goto(f"{server}/r/{drafts}/page/{number}")
        problems += fits(page, f"page {number}")
    shot(page, f"page-{device}-{lang}")

    page.goto(f"{site['preview']}/?lang={lang}")
    problems += fits(page, "preview")
    shot(page, f"preview-{device}-{lang}")

    page.goto(f"{server}/facilitator/login?lang={lang}")
    page.fill("#email", "lead@agency.eu")
    page.fill("#password", "a long password")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    compare = "&".join(f"compare={m}" for m in site["compare"])
    page.goto(f"{server}/facilitator/cohorts/{site['cohort']}?lang={lang}&{compare}")
    problems += fits(page, "dashboard")
    assert axe_violations(page) == []
    if device == "laptop":  # the heat map's last column, Overall, is in view without scrolling
        overall = page.locator("table.heatmap thead th").last
        box = overall.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, box
    shot(page, f"dashboard-{device}-{lang}")

    page.goto(f"{server}/facilitator/cohorts/{site['cohort']}/responses/{site['compare'][0]}?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    problems += fits(page, "facilitator's report")
    assert not problems, "\n".join(problems)
    assert errors == []
    context.close()


@pytest.mark.parametrize("lang", ["en", "da"])
def test_printed_report_keeps_its_labels(browser: Any, site: dict[str, Any], lang: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{site['server']}/r/{site['report']}/report?lang={lang}")
    page.wait_for_selector("#radar[data-fitted]", state="attached")
    fitted = page.get_attribute("#radar", "data-fitted")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 600, "height": 1000})  # narrower than the screen's chart, as A4 is
    page.wait_for_function(f"() => document.getElementById('radar').getAttribute('data-fitted') !== {fitted!r}")
    assert fits(page, "printed report") == []
    hundred = page.locator("#radar .xtick text", has_text="100").bounding_box()
    assert hundred is not None and hundred["width"] > hundred["height"]  # upright, not turned along the axis
    shot(page, f"report-print-{lang}")
    pdf = Path(ARTIFACTS / f"report-print-{lang}.pdf")
    page.pdf(path=str(pdf), format="A4")
    page.close()
