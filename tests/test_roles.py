"""Roles in the bank format: the model, the loader's rules, the authors' guide and the preview per role."""

from __future__ import annotations

import re

import pytest

from selfassess.bank.loader import BankError, load_bank, load_text
from tests.conftest import FIXTURES, ROOT

HEAD = """\
id: r
version: "1"
title: R
languages: [en]
roles:
  - {id: leaders, label: Leaders}
  - {id: staff, label: Staff, min_respondents: 3, weight: 2}
rubric:
  levels:
    - {id: low, min: 0, label: Low}
"""


def bank(body: str, head: str = HEAD) -> str:
    return head + body


OK_DIMENSIONS = """\
dimensions:
  - id: d
    title: D
    questions:
      - {id: q1, type: yesno, text: Q1}
      - {id: q2, type: yesno, roles: [staff], text: Q2}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(BankError) as exc:
        load_text(text, "b.yaml")
    return [str(p) for p in exc.value.problems]


def test_the_model_resolves_roles():
    b = load_text(bank(OK_DIMENSIONS))
    assert [(r.id, r.min_respondents, r.weight) for r in b.roles] == [("leaders", 1, 1.0), ("staff", 3, 2.0)]
    assert b.dimensions[0].roles == ("leaders", "staff")
    assert [q.roles for q in b.dimensions[0].questions] == [("leaders", "staff"), ("staff",)]
    assert [q.id for q in b.questions_for("leaders")] == ["q1"]
    assert b.for_role("staff").viewed_as == "staff"
    assert [d.id for d in b.dimensions_for("leaders")] == ["d"]
    with pytest.raises(KeyError):
        b.for_role("nobody")


def test_a_bank_without_roles_is_as_before():
    b = load_bank(FIXTURES / "tiny.yaml")
    assert b.roles == () and all(q.roles == () for q in b.questions) and b.role_views == {}


def test_fixture_has_four_roles_and_three_dimensions():
    b = load_bank(FIXTURES / "roles.yaml")
    assert [r.id for r in b.roles] == ["leaders", "staff", "company", "learners"]
    assert len(b.dimensions) == 3
    assert b.question("story").share_text
    assert [d.id for d in b.dimensions_for("company")] == ["placements", "recognition"]


ROLE = "  - {id: leaders, label: Leaders}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            bank(OK_DIMENSIONS.replace("roles: [staff]", "roles: [staf]")),
            "b.yaml:16:39: question 'q2' names an unknown role 'staf'; did you mean 'staff'?",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace("  - {id: staff", ROLE + "  - {id: staff")),
            "b.yaml:7:10: the role id 'leaders' is used twice; role ids must be unique",
        ),
        (
            bank(OK_DIMENSIONS.replace("    title: D\n", "    title: D\n    roles: [leaders]\n")),
            "b.yaml:17:38: question 'q2' is given to staff, which do not answer its dimension (its roles: leaders); "
            "a question may narrow its dimension's roles, not widen them",
        ),
        (
            bank(OK_DIMENSIONS.replace("    title: D\n", "    title: D\n    roles: []\n")),
            "b.yaml:14:12: no role answers a scored question in dimension 'd'; give at least one scored question a role",
        ),
        (
            bank(
                OK_DIMENSIONS.replace(
                    "      - {id: q2, type: yesno, roles: [staff], text: Q2}",
                    "      - {id: q0, type: yesno, roles: [staff], text: Q0}\n"
                    "      - {id: q2, type: yesno, show_if: {question: q0, equals: 'yes'}, text: Q2}",
                )
            ),
            "b.yaml:17:51: show_if of question 'q2' depends on 'q0', which leaders does not answer "
            "(it is for staff); narrow the roles of 'q2', or give 'q0' those roles",
        ),
        (
            bank("profile:\n  - {id: p, type: text, roles: [leaders], text: P}\n" + OK_DIMENSIONS),
            "b.yaml:12:25: question 'p' is in the profile, which the coordinator answers once for the whole "
            "organisation; remove 'roles:' (or move the question into a dimension)",
        ),
        (
            bank(OK_DIMENSIONS.replace("roles: [staff], text: Q2", "share_text: true, text: Q2")),
            "b.yaml:16:31: share_text is for text questions only, and question 'q2' is of type yesno; remove it",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace(ROLE, "").replace("roles:\n", "")).replace(
                "  - {id: staff, label: Staff, min_respondents: 3, weight: 2}\n", ""
            ),
            "b.yaml:13:31: question 'q2' has 'roles:', but the bank declares no roles; add a top-level 'roles:' "
            "list, or remove this one",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace("min_respondents: 3", "min_respondents: 2.5")),
            "b.yaml:7:48: min_respondents of role 'staff' must be a whole number of people, not 2.5",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace("min_respondents: 3", "min_respondents: 0")),
            "b.yaml:7:48: min_respondents of role 'staff' must be a number from 1 to 100000, not 0",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace("weight: 2", "weight: 0")),
            "b.yaml:7:59: the weight of role 'staff' must be a number above 0 and at most 1000, not 0",
        ),
        (
            bank(OK_DIMENSIONS, HEAD.replace("label: Leaders", "label: Leaders, size: 3")),
            "b.yaml:6:35: unknown key 'size' in role 'leaders' (expected one of: id, label, min_respondents, weight)",
        ),
    ],
    ids=[
        "unknown-role", "duplicate-role", "wider-than-dimension", "dimension-nobody-answers", "show-if-across-roles",
        "profile-roles", "share-text-not-text", "roles-without-bank-roles", "min-not-whole", "min-zero",
        "weight-zero", "unknown-role-key",
    ],
)  # fmt: skip
def test_loader_rules(text, message):
    assert message in problems(text)


def test_labels_in_every_language_and_drafts_warn():
    head = HEAD.replace("languages: [en]", "languages: [en, da]\ndraft_languages: [nb]").replace(
        "title: R", "title: {en: R, da: R}"
    )
    text = bank(OK_DIMENSIONS, head).replace("label: Low", "label: {en: Low, da: Lav}")
    text = re.sub(r"text: (Q\d)", r"text: {en: \1, da: \1}", text).replace("title: D", "title: {en: D, da: D}")
    found = problems(text)
    assert (
        "b.yaml:7:26: the label of role 'leaders' has no 'da' translation; write it as a map, e.g. {en: ..., da: ...}"
        in found
    )
    fixed = text.replace("label: Leaders", "label: {en: Leaders, da: Ledere}").replace(
        "label: Staff", "label: {en: Staff, da: Personale}"
    )
    warnings: list = []
    path = ROOT / "tests" / "fixtures" / "roles.yaml"
    load_text(fixed, "b.yaml", warnings=warnings)
    assert any("the label of role 'leaders' has no 'nb' translation yet" in str(w) for w in warnings)
    assert path.is_file()


def test_authoring_guide_roles_example_is_valid(tmp_path, run_cli):
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = re.compile(r"```yaml\n(.*?)```", re.S).search(guide, guide.index("## Roles")).group(1)
    path = tmp_path / "roles-basics.yaml"
    path.write_text(example, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.output
    b = load_bank(path)
    assert [r.id for r in b.roles] == ["leaders", "staff", "learners"]


def test_preview_per_role(tmp_path):
    from selfassess.web.preview import create_preview_app

    app = create_preview_app(FIXTURES / "roles.yaml")
    client = app.test_client()
    every = client.get("/").get_data(as_text=True)
    assert 'data-role="staff"' in every and "answered by leaders" in every and 'name="support"' in every
    staff = client.get("/?role=staff").get_data(as_text=True)
    assert 'name="hosts"' in staff and 'name="support"' not in staff and 'name="budget"' not in staff
    assert "role=staff" in staff
    plain = create_preview_app(FIXTURES / "tiny.yaml").test_client().get("/?role=staff").get_data(as_text=True)
    assert "role-switch" not in plain and 'name="sc"' in plain
