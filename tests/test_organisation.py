"""An organisation's score from its role groups: the default combination, the hook, the docs' example."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from selfassess.bank.loader import load_bank
from selfassess.scoring import plugins
from selfassess.scoring.engine import score
from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.organisation import Spread, combine, spread
from tests.conftest import FIXTURES, ROOT

DOC = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
BANK = load_bank(FIXTURES / "roles.yaml")


def doc_block(heading: str) -> str:
    match = re.compile(r"```json\n(.*?)```", re.S).search(DOC, DOC.index(heading))
    assert match, heading
    return match.group(1)


def doc_results() -> dict[str, list]:
    answers = json.loads(doc_block("One organisation's responses, per role:"))
    return {role: [score(BANK, a, role=role) for a in group] for role, group in answers.items()}


def test_docs_worked_example_is_real():
    result = combine(BANK, doc_results())
    expected = json.loads(doc_block("- recognition = "))
    assert round(result.score, 2) == expected.pop("overall")
    for dim_id, value in expected.items():
        assert round(result.dimensions[dim_id].score, 2) == value, dim_id
    assert result.level == "established"
    assert [result.dimensions[d].level for d in ("strategy", "placements", "recognition")] == [
        "established",
        "established",
        "developing",
    ]
    assert result.dimensions["recognition"].groups == ("staff", "learners")
    company = result.groups["company"]
    assert (company.respondents, company.needed, company.reached, company.dimensions) == (1, 2, False, {})
    learners = result.groups["learners"].dimensions["placements"]
    assert round(learners.mean, 2) == 44.44 and learners.counted == 3
    assert learners.spread is None  # three scores: too few to show a spread
    assert result.groups["leaders"].dimensions["recognition"].mean is None


def test_a_role_is_scored_on_its_own_questions():
    result = score(BANK, {"plan": 4, "budget": "yes", "prepared": 5}, role="leaders")
    assert result.dimensions["recognition"].score is None and result.dimensions["recognition"].of == 0
    assert result.dimensions["strategy"].of == 2
    staff = score(BANK, {"plan": 3}, role="staff")
    assert staff.dimensions["strategy"].of == 1  # budget is for leaders only


def test_a_group_below_its_minimum_is_left_out():
    results = doc_results()
    del results["leaders"]
    result = combine(BANK, results)
    assert result.groups["leaders"].respondents == 0 and not result.groups["leaders"].reached
    assert result.dimensions["strategy"].score == pytest.approx(75.0)
    assert result.dimensions["strategy"].groups == ("staff",)


def test_nobody_yet_gives_no_score():
    result = combine(BANK, {})
    assert result.score is None and result.level is None
    assert all(d.score is None for d in result.dimensions.values())


def test_unknown_role_and_bank_without_roles_are_refused():
    with pytest.raises(ValueError, match="no role 'teachers'"):
        combine(BANK, {"teachers": []})
    with pytest.raises(ValueError, match="declares no roles"):
        combine(load_bank(FIXTURES / "tiny.yaml"), {})


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([40.0], None),
        ([0.0, 25.0, 50.0, 100.0], None),  # fewer than SPREAD_FROM: near single people's scores
        ([0.0, 25.0, 50.0, 75.0, 100.0], Spread(25, 50, 75)),  # never the lowest or highest
    ],
)
def test_spread(scores, expected):
    assert spread(scores) == expected


class WeakestGroup:
    """A throwaway plugin: each dimension scores as its weakest group, for the roles bank only."""

    @hookimpl
    def aggregate_groups(self, bank, groups):
        if bank.id != "roles":
            return None
        means = {}
        for dim in bank.dimensions:
            found = [
                sum(s) / len(s)
                for results in groups.values()
                if (s := [r.dimensions[dim.id].score for r in results if r.dimensions[dim.id].score is not None])
            ]
            means[dim.id] = min(found) if found else None
        return means


@pytest.fixture
def pm():
    manager = plugins.get_plugin_manager()
    plugin = WeakestGroup()
    manager.register(plugin, name="weakest-group")
    yield manager
    manager.unregister(plugin)


def test_a_plugin_combines_otherwise(pm):
    result = combine(BANK, doc_results(), pm=pm)
    assert {k: round(d.score, 2) for k, d in result.dimensions.items()} == {
        "strategy": 75.0,
        "placements": 44.44,
        "recognition": 56.25,
    }
    assert result.score == pytest.approx((75 + 400 / 9 + 56.25) / 3)


def test_a_plugin_that_declines_leaves_the_default(pm):
    other = replace(BANK, id="other")
    results = {role: [score(other, {}, role=role)] * 3 for role in ("leaders", "staff")}
    results["leaders"] = [score(other, {"plan": 4, "budget": "yes"}, role="leaders")]
    results["staff"] = [score(other, {"plan": 3}, role="staff")] * 2
    result = combine(other, results, pm=pm)
    assert result.dimensions["strategy"].score == pytest.approx((2 * 87.5 + 50) / 3)
