"""Question types: each in one module and one macro, the registry complete, the model left plain."""

from __future__ import annotations

import random

import pytest
from werkzeug.datastructures import MultiDict

from selfassess.bank.answers import canonical_answer
from selfassess.bank.loader import QUESTION_KEYS, BankError, load_bank, load_text
from selfassess.bank.questiontypes import KEY_OWNERS, QUESTION_TYPES, TYPES
from selfassess.bank.synthetic import random_answer, random_answers
from selfassess.i18n import gettext
from selfassess.scoring.engine import score
from selfassess.scoring.rubrics import normalise
from selfassess.scoring.rubrics.normalise import normalised_score, plan_for
from selfassess.web.forms import page_form, read_page
from tests.conftest import MINIMAL_BANK, ROOT, V1_BANKS

GO = V1_BANKS / "go-international.yaml"
# What the model may hold besides its fields: cached_property values, named like the properties.
CACHED = {"questions", "scored_questions", "conditional_questions", "unconditional_ids", "pages", "_by_id"}


def _(message: str, /, **variables: object) -> str:
    return gettext("da", message, **variables)


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_each_type_has_its_module_and_macro(name):
    rules = TYPES[name]
    assert rules.name == name and rules.seconds > 0
    assert (ROOT / "selfassess" / "bank" / "questiontypes" / f"{name}.py").is_file()
    macro = ROOT / "templates" / "questions" / f"_{name}.html"
    assert "{% macro field(question, choices, slots, error, lang) %}" in macro.read_text(encoding="utf-8")
    assert set(rules.schema()) == set(rules.keys) <= QUESTION_KEYS
    assert set(rules.required_keys) <= set(rules.keys)


def test_every_type_specific_key_has_an_owner():
    assert set(KEY_OWNERS) == {key for rules in TYPES.values() for key in rules.keys}


@pytest.mark.parametrize("seed", range(5))
def test_random_answers_are_canonical_and_score_in_range(seed):
    bank = load_bank(GO)
    rng = random.Random(seed)
    for question in bank.questions:
        answer = random_answer(question, rng, rng.random())
        value, error = canonical_answer(question, answer)
        assert error is None, (question.id, answer, error)
        s = normalised_score(question, value)
        assert s is None or 0.0 <= s <= 1.0
        assert (s is not None) <= question.scored


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "        scale: agree3\n",
            "        scale: agree3\n        unit: kg\n",
            "28:9: 'unit' is only for questions of type number; remove it from question 'q1'",
        ),
        (
            "        type: yesno\n",
            "        type: yesno\n        scale: agree3\n",
            "31:9: question 'q2' is of type yesno: 'scale:' is only for type scale; remove it",
        ),
        (
            "        type: yesno\n",
            "        type: yesno\n        options: []\n",
            "31:9: question 'q2' is of type yesno, which takes no options; remove 'options:' (or use type: choice)",
        ),
        (
            "        scale: agree3\n",
            "        scale: agree3\n        options: []\n",
            "28:9: question 'q1' is of type scale: it takes its options from 'scale:', remove 'options:' (or use type: choice)",
        ),
    ],
)
def test_a_key_of_another_type_is_named(old, new, message):
    with pytest.raises(BankError) as caught:
        load_text(MINIMAL_BANK.replace(old, new, 1), "b.yaml")
    assert [str(p) for p in caught.value.problems] == [f"b.yaml:{message}"]


def test_a_page_post_is_read_by_each_type():
    bank = load_text(MINIMAL_BANK, "b.yaml")
    page = bank.pages[1]
    post = read_page(page, MultiDict([("q1", "3"), ("q2", "maybe"), ("q3", " ")]), _)
    assert post.answers == {"q1": 3}
    assert post.errors == {"q2": _("Choose one of the options shown.")}
    assert post.cleared == {"q3"} and post.typed["q2"] == "maybe"


def test_forms_are_cached_by_the_app_and_bound_per_request(app):
    bank = load_text(MINIMAL_BANK, "b.yaml")
    page = bank.pages[1]
    with app.test_request_context("/"):
        first = page_form(bank, page, "da", _, MultiDict([("q1", "1")]))
        second = page_form(bank, page, "da", _, MultiDict([("q1", "2")]))
        assert first is not second and type(first) is type(second)
        assert first.data["q1"] == "1" and second.data["q1"] == "2"
        assert type(first) in app.extensions["selfassess_form_classes"].values()


def test_the_model_stays_plain_after_scoring_and_forms(app):
    bank = load_bank(GO)
    score(bank, random_answers(bank, random.Random(1)))
    with app.test_request_context("/"):
        for page in bank.pages:
            page_form(bank, page, "en", _, MultiDict())
    assert set(bank.__dict__) - {f for f in bank.__dataclass_fields__} <= CACHED


def test_plans_are_kept_beside_the_bank_and_bounded(monkeypatch):
    monkeypatch.setattr(normalise, "_plans", {})
    banks = [load_text(MINIMAL_BANK, "b.yaml") for _ in range(normalise.MAX_PLANS + 3)]
    plans = [plan_for(b) for b in banks]
    assert all(p.bank is b for p, b in zip(plans, banks, strict=True))
    assert plan_for(banks[-1]) is plans[-1]
    assert len(normalise._plans) == normalise.MAX_PLANS
