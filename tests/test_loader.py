"""The model the loader builds: normalised texts, YAML 1.2 scalars, immutability."""

from __future__ import annotations

import dataclasses

import pytest

from selfassess.bank.loader import BankError, load_bank, load_text
from selfassess.bank.model import Text
from tests.conftest import FIXTURES, MINIMAL_BANK, V1_BANKS


@pytest.fixture(scope="module")
def mini():
    return load_text(MINIMAL_BANK, "mini.yaml")


def test_norway_stays_a_string(mini):
    country = mini.question("country")
    assert [o.value for o in country.options] == ["NO", "DK"]


def test_yes_in_show_if_stays_a_string(mini):
    assert mini.question("q3").show_if.value == "yes"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "YES", "No", "Off"])
def test_yaml11_booleans_are_strings(word):
    bank = load_text(MINIMAL_BANK.replace("{value: DK,", f"{{value: {word},"), "b.yaml")
    assert bank.question("country").options[1].value == word


@pytest.mark.parametrize(
    ("written", "value"),
    [("250_999", "250_999"), ("0800", "0800"), ("08", "08"), ("1_000", "1_000"), ("0o17", "0o17"),
     ("12", 12), ("-3", -3), ("0", 0), ("0x1F", 31), ("2.5", 2.5), ("1e3", 1000.0), ("+1.5e-2", 0.015)],
)  # fmt: skip
def test_yaml12_numbers(written, value):
    bank = load_text(MINIMAL_BANK.replace("{value: DK,", f"{{value: {written},"))
    got = bank.question("country").options[1].value
    assert got == value and type(got) is type(value)


def test_sexagesimal_and_dates_stay_strings():
    bank = load_text(MINIMAL_BANK.replace("{value: DK,", "{value: 1:20,").replace("{value: NO,", "{value: 2026-01-01,"))
    assert [o.value for o in bank.question("country").options] == ["2026-01-01", "1:20"]


def test_texts_have_one_shape(mini):
    q1 = mini.question("q1")
    assert q1.text == Text({"en": "Q one", "da": "S en"})
    assert q1.text.get("da") == "S en"
    assert q1.text.get("fr") == "Q one"  # unknown language falls back to the default
    one_language = load_text(
        "id: x\nversion: '1'\ntitle: Plain\nlanguages: [en]\nrubric: {levels: [{id: a, min: 0, label: A}]}\n"
        "dimensions: [{id: d, title: D, questions: [{id: q, type: yesno, text: Plain question}]}]\n"
    )
    assert one_language.title == Text({"en": "Plain"})
    assert one_language.dimensions[0].questions[0].text.translations == {"en": "Plain question"}


def test_translation_order_follows_languages():
    bank = load_text(MINIMAL_BANK.replace("text: {en: Q one, da: S en}", "text: {da: S en, en: Q one}"))
    assert list(bank.question("q1").text.translations) == ["en", "da"]


def test_scale_options_are_resolved_on_the_question(mini):
    q1 = mini.question("q1")
    assert q1.scale == "agree3"
    assert [o.value for o in q1.options] == [1, 2, 3]
    assert q1.option("2") is q1.options[1]


def test_defaults(mini):
    q1, _, q3 = mini.dimensions[0].questions
    assert (q1.weight, q1.required, q1.allow_na) == (1.0, True, False)
    assert q3.required is False and not q3.scored
    assert mini.rubric.plugin == "weighted-mean"
    assert mini.dimensions[0].weight == 1.0
    assert [q.id for q in mini.questions] == ["country", "q1", "q2", "q3"]
    assert [q.id for q in mini.scored_questions] == ["q1", "q2"]
    assert mini.question("country").scored is False


def test_model_is_immutable(mini):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mini.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        mini.dimensions[0].feedback["high"] = Text({"en": "x"})  # type: ignore[index]


def test_content_hash_identifies_the_text(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(MINIMAL_BANK, encoding="utf-8")
    first = load_bank(path)
    path.write_text(MINIMAL_BANK + "# a comment\n", encoding="utf-8")
    second = load_bank(path)
    assert len(first.content_hash) == 64 and first.content_hash != second.content_hash


def test_owasp_samm_corpus_loads():
    bank = load_bank(FIXTURES / "owasp-samm.yaml")
    assert bank.id == "owasp-samm"
    assert len(bank.dimensions) == 15
    assert len(bank.scored_questions) == 90
    assert bank.question("g_sm_1_a").options[-1].value == 4


def test_shipped_go_international_covers_the_field():
    bank = load_bank(V1_BANKS / "go-international.yaml")
    assert bank.languages == ("en", "da", "nb")
    assert len(bank.dimensions) >= 8 and len(bank.scored_questions) >= 40
    assert {q.id for q in bank.profile} >= {"country", "provider_type", "size", "sectors", "accreditation"}
    level_ids = [lvl.id for lvl in bank.rubric.levels]
    for dim in bank.dimensions:
        assert list(dim.feedback) == level_ids, dim.id  # advice for every dimension x level
    types = {q.type for q in bank.questions}
    assert types == {"scale", "choice", "multi", "yesno", "number", "text"}


def test_shipped_solity_has_quantitative_indicators():
    bank = load_bank(V1_BANKS / "solity.yaml")
    assert len(bank.dimensions) >= 5 and len(bank.scored_questions) >= 25
    numbers = [q for q in bank.scored_questions if q.type == "number"]
    assert len(numbers) >= 5
    assert any(q.score_from > q.score_to for q in numbers)  # a lower-is-better indicator


@pytest.mark.parametrize(
    "text",
    [
        "",
        "just a string",
        "- a\n- list",
        "id: [unclosed",
        "a: &x [*x]",
        "!!python/object/apply:os.system ['echo hi']",
        "a: !!binary aGVsbG8=",
        "<<: {a: 1}",
        "? [complex, key]\n: value",
    ],
)
def test_hostile_or_odd_yaml_gives_bank_errors(text):
    with pytest.raises(BankError) as info:
        load_text(text, "odd.yaml")
    assert all(str(p).startswith("odd.yaml:") for p in info.value.problems)


def test_billion_laughs_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]
    with pytest.raises(BankError) as info:
        load_text("\n".join(lines), "laughs.yaml")
    assert "expands to more than" in str(info.value)
