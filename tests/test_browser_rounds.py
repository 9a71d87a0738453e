"""In real Chromium: a coordinator runs a round of a bank with four roles; ten people answer by their role's link."""

from __future__ import annotations

from statistics import mean

import pytest

from selfassess.web import create_app
from tests.browser import axe_violations, live_server
from tests.test_rounds import roles_folder

pytestmark = pytest.mark.browser

LEADERS = [{"plan": 5, "budget": "yes", "prepared": 4}]
STAFF = [
    {"plan": p, "prepared": r, "hosts": h, "agreement": a, "recognised": c}
    for p, r, h, a, c in [(4, 3, 3, "yes", 4), (3, 4, 3, "no", 3), (2, 2, 4, "yes", 2), (5, 5, 2, "yes", 4)]
]
COMPANY = [
    {"prepared": r, "hosts": h, "agreement": a, "recognised": c}
    for r, h, a, c in [(1, 2, "no", 2), (2, 1, "no", 1), (1, 2, "yes", 1)]
]
LEARNERS = [
    {"prepared": 3, "abroad": "no", "agreement": "yes", "recognised": 5, "story": "Capybara-5501 longer stays"},
    {"prepared": 4, "abroad": "no", "agreement": "yes", "recognised": 4},
]
GROUPS = {"leaders": LEADERS, "staff": STAFF, "company": COMPANY, "learners": LEARNERS}
# The bank's dimensions, their scored questions, and the roles' weights and minimums (learners: 5).
DIMENSIONS = {
    "strategy": ("plan", "budget"),
    "placements": ("prepared", "abroad", "support", "hosts"),
    "recognition": ("agreement", "recognised"),
}
WEIGHTS = {"leaders": 2, "staff": 1, "company": 1, "learners": 1}
MINIMUM = {"leaders": 1, "staff": 2, "company": 2, "learners": 5}
LABELS = {"leaders": "School leaders", "staff": "Teachers and trainers", "company": "In-company trainers and employers"}
TITLES = {"strategy": "Strategy", "placements": "Placements", "recognition": "Recognition"}


def s(value) -> float:
    """The normalised answer: a five-point scale from 0 to 1, yes 1 and no 0."""
    return {"yes": 1.0, "no": 0.0}[value] if isinstance(value, str) else (value - 1) / 4


def expected() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The organisation's scores and the groups' means, worked out from the answers alone."""
    groups: dict[str, dict[str, float]] = {}
    for role, people in GROUPS.items():
        if len(people) < MINIMUM[role]:
            continue
        for dim, questions in DIMENSIONS.items():
            scores = [
                100 * mean(s(p[q]) for q in questions if q in p) for p in people if any(q in p for q in questions)
            ]
            if scores:
                groups.setdefault(role, {})[dim] = mean(scores)
    combined = {}
    for dim in DIMENSIONS:
        counted = [(WEIGHTS[r], g[dim]) for r, g in groups.items() if dim in g]
        combined[dim] = sum(w * v for w, v in counted) / sum(w for w, _ in counted)
    combined["overall"] = mean(combined[d] for d in DIMENSIONS)
    return combined, groups


@pytest.fixture
def server(tmp_path, database):
    app = create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SELFASSESS_QUESTIONNAIRES": str(roles_folder(tmp_path)),
            "SECRET_KEY": "test",
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
            "SELFASSESS_SECURE_COOKIES": False,
        }
    )
    with live_server(app) as url:
        yield url


def no_violations(page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}: {found}"


def answer_by_link(browser, link: str, answers: dict, check: bool = False) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    assert "no name is asked" in page.inner_text("main")
    with page.expect_navigation():
        page.click("form.start-form button[type=submit]")
    while "/page/" in page.url:
        assert page.locator("#organisation").count() == 0
        for qid, value in answers.items():
            radio = page.locator(f'input[name="{qid}"][value="{value}"]')
            if radio.count():
                radio.check()
            elif page.locator(f'textarea[name="{qid}"]').count():
                page.fill(f'textarea[name="{qid}"]', str(value))
        if check:
            no_violations(page, "a role's question page")
            check = False
        with page.expect_navigation():
            page.click('button[value="next"]')
    assert page.url.endswith("/review")
    with page.expect_navigation():
        page.click('form[action$="/submit"] button[type=submit]')
    assert page.url.endswith("/thanks")
    context.close()


def test_a_round_with_four_groups(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/")
    with page.expect_navigation():
        page.click('form[action="/start/roles"] button[type=submit]')
    page.fill("#organisation", "Aarhus Tech")
    page.locator('input[name="size"][value="small"]').check()
    with page.expect_navigation():
        page.click('button[value="next"]')
    assert "/c/" in page.url
    no_violations(page, "the coordinator's page")
    links = {role: page.input_value(f"#invite-{role}") for role in GROUPS}

    first = True
    for role, people in GROUPS.items():
        for answers in people:
            answer_by_link(browser, links[role].replace("http://localhost", server), answers, check=first)
            first = False

    page.reload()
    assert "Not yet: 2 of the 5 needed" in page.inner_text("#participation")
    with page.expect_navigation():
        page.click('form[action$="/close"] button[type=submit]')
    assert page.url.endswith("/report")
    page.wait_for_selector("#radar .main-svg")
    no_violations(page, "the organisation's report")

    combined, groups = expected()
    assert set(groups) == {"leaders", "staff", "company"}
    assert page.inner_text("#overall-score") == f"{combined['overall']:.0f}"
    for dim in DIMENSIONS:
        shown = page.inner_text(f'#organisation-scores tr[data-dimension="{dim}"] td.score')
        assert shown == f"{combined[dim]:.0f}", dim
    groups_text = page.inner_text("#groups")
    assert "Learners and apprentices: 2 of the 5 needed" in groups_text
    for label in LABELS.values():
        assert f"{label}: " in groups_text
    gaps = [
        (abs(a[d] - b[d]), d, lo, hi)
        for (ra, a), (rb, b) in [(x, y) for x in groups.items() for y in groups.items() if x[0] < y[0]]
        for d in DIMENSIONS
        if d in a and d in b
        for lo, hi in [(ra, rb) if a[d] < b[d] else (rb, ra)]
    ]
    points, dim, lower, higher = max(gaps)
    sentence = f"{LABELS[lower]} rate “{TITLES[dim]}” {round(points)} points lower than {LABELS[higher]}."
    assert page.inner_text("#gaps li >> nth=0") == sentence
    assert sorted(page.locator("table.question-results").evaluate_all("ts => ts.map(t => t.dataset.role)")) == [
        "company",
        "leaders",
        "staff",
    ]
    assert "Capybara-5501" not in page.content()  # a learner's text: their group is below its minimum
    context.close()
