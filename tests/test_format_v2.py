"""The bank-format additions of issue 15: "don't know", resources, the source of a figure, a staged dimension."""

from __future__ import annotations

import csv
import io
import json
import random
import re

import jsonschema
import pytest

from selfassess import cohorts, exports, rounds, store
from selfassess.bank.answers import canonical_answer, check_answers, dont_know
from selfassess.bank.catalog import Catalog
from selfassess.bank.diff import diff
from selfassess.bank.loader import BankError, load_text
from selfassess.bank.schema import schema_json
from selfassess.bank.synthetic import random_answers
from selfassess.bank.yamlsource import parse
from selfassess.scoring.engine import score
from selfassess.scoring.organisation import combine
from selfassess.web import create_app
from selfassess.web.preview import create_preview_app
from tests.conftest import FIXTURES, Respondent, csrf_token
from tests.test_rounds import ROLES_BANK, answer, coordinate

FIXTURE = FIXTURES / "format-v2.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
# The answers that docs/rubrics.md works through.
DOC_ANSWERS = {
    "country": "DK",
    "prep_language": "dk",
    "prep_agreement": "yes",
    "reach_share": {"value": 4, "source": "estimate"},
    "reach_funding": "budget",
    "rec_agreement": "yes",
    "rec_return": "no",
}


def bank(text: str = TEXT):
    return load_text(text, "v2.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(BankError) as info:
        load_text(text, "v2.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, marker: str) -> int:
    """The line on which *marker* (which may span lines) first starts."""
    return text[: text.index(marker)].count("\n") + 1


# (what is changed, into what, the message, a text on the line the message must point at)
MISTAKES = [
    (
        "      - id: prep_tools\n",
        "      - {id: note, type: text, allow_dont_know: true, text: {en: Note, da: Note}}\n      - id: prep_tools\n",
        "allow_dont_know is not for text questions (question 'note'): leaving it empty says as much; "
        "remove it, or make it optional with 'required: false'",
        "id: note",
    ),
    (
        "{value: tandem,",
        "{value: dk,",
        "'dk' is kept for \"don't know\"; give option 2 of question 'prep_tools' another value and use "
        "allow_dont_know: true",
        "{value: dk,",
    ),
    (
        "        allow_dont_know: true\n        required: false\n",
        "        allow_dont_know: sometimes\n        required: false\n",
        "allow_dont_know in question 'prep_tools' must be true or false, not 'sometimes'",
        "allow_dont_know: sometimes",
    ),
    (
        "url: https://erasmus-plus",
        "url: erasmus-plus",
        "the url of resource 1 of dimension 'reach' must start with https:// (or http://), not "
        "'erasmus-plus.ec.europa.eu/programme-guide/part-b/key-action-1/mobility-vet-learners-staff'; "
        "write the whole address, starting with https://",
        "url: erasmus-plus",
    ),
    (
        "          da: https://europass.europa.eu/da/",
        "          sv: https://europass.europa.eu/da/",
        "the url of resource 2 of dimension 'preparation' has an address in 'sv', which is not in the bank's "
        "languages (expected one of: da, en)",
        "sv: https://",
    ),
    (
        "levels: [starting, developing]",
        "levels: [starting, expert]",
        "resource 1 of dimension 'preparation' names an unknown level 'expert' "
        "(levels: starting, developing, established)",
        "levels: [starting, expert]",
    ),
    (
        "title: {en: Europass Mobility, da: Europass Mobilitetsbevis}",
        "title: {en: Europass Mobility}",
        "the title of resource 2 of dimension 'preparation' has no 'da' translation; add 'da: ...'",
        "title: {en: Europass Mobility}",
    ),
    (
        "        levels: [starting, developing]\n",
        "        levels: [starting, developing]\n        when: always\n",
        "unknown key 'when' in resource 1 of dimension 'preparation'",
        "when: always",
    ),
    (
        "estimate: 0.5}",
        "estimate: 1.5}",
        "rubric.trustworthiness.estimate must be between 0 and 1, not 1.5",
        "estimate: 1.5",
    ),
    (
        "estimate: 0.5}",
        "guess: 0.5}",
        "unknown key 'guess' in rubric.trustworthiness (keys: register, records, estimate)",
        "guess: 0.5",
    ),
    (
        "        allow_dont_know: true\n        text:\n          en: Learners get",
        "        trustworthiness: true\n        text:\n          en: Learners get",
        "'trustworthiness' is only for questions of type number; remove it from question 'prep_language'",
        "trustworthiness: true\n        text:\n          en: Learners get",
    ),
    (
        "    rubric: staged\n    threshold: 0.75\n",
        "    threshold: 0.75\n",
        "'threshold' in dimension 'recognition' is a setting of the staged rubric; add 'rubric: staged' to "
        "dimension 'recognition', or remove it",
        "threshold: 0.75",
    ),
    (
        "rubric: staged\n",
        "rubric: stagd\n",
        "no rubric called 'stagd' is installed (installed: staged, weighted-mean); did you mean 'staged'?",
        "rubric: stagd",
    ),
    (
        "        level: established\n",
        "",
        "question 'rec_return' has no 'level:'; the staged rubric needs one per scored question "
        "(one of: developing, established)",
        "id: rec_return",
    ),
    (
        "threshold: 0.75",
        "threshold: 2",
        "threshold of dimension 'recognition' must be between 0 and 1, not 2",
        "threshold: 2",
    ),
]


@pytest.mark.parametrize(("old", "new", "message", "marker"), MISTAKES, ids=[m[2][:40] for m in MISTAKES])
def test_loader_names_each_mistake_with_its_place(old, new, message, marker):
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    found = problems(text)
    at = [p for p in found if message in p]
    assert at, found
    assert re.match(rf"v2\.yaml:{line_of(text, marker)}:\d+: ", at[0]), at[0]


def test_the_fixture_loads_with_every_addition():
    loaded = bank()
    assert loaded.question("prep_language").allow_dont_know
    assert loaded.question("reach_share").trustworthiness and loaded.question("learners").trustworthiness
    prep = loaded.dimension("preparation")
    assert [r.title.get("da") for r in prep.resources] == [
        "Erasmus+ Online Language Support",
        "Europass Mobilitetsbevis",
    ]
    europass = prep.resources[1]
    assert europass.url_for("da").startswith("https://europass.europa.eu/da/")
    assert europass.url_for("nb") == europass.url_for("en")  # a language left out falls back to en
    assert [r.title.get() for r in prep.resources_for("established")] == ["Europass Mobility"]
    assert len(prep.resources_for("starting")) == 2
    assert loaded.dimension("recognition").rubric == "staged"
    assert dict(loaded.dimension("recognition").rubric_settings) == {"threshold": 0.75}
    assert dict(loaded.rubric.settings)["trustworthiness"] == {"register": 1, "records": 1, "estimate": 0.5}


def test_a_draft_language_lacking_a_resource_title_is_a_warning():
    text = TEXT.replace("languages: [en, da]", "languages: [en]\ndraft_languages: [da]")
    text = text.replace(
        "title: {en: Europass Mobility, da: Europass Mobilitetsbevis}", "title: {en: Europass Mobility}"
    )
    warnings: list = []
    load_text(text, "v2.yaml", warnings=warnings)
    assert any(
        "the title of resource 2 of dimension 'preparation' has no 'da' translation yet" in str(w) for w in warnings
    )


def test_schema_accepts_the_fixture_and_refuses_what_the_loader_refuses():
    schema = json.loads(schema_json())
    jsonschema.validate(parse(TEXT).data, schema)
    for old, new in [
        ("{value: 1, score", "{value: 1, score"),  # unchanged: valid
    ]:
        jsonschema.validate(parse(TEXT.replace(old, new)).data, schema)
    refused = [
        ("url: https://erasmus-plus", "url: erasmus-plus"),
        ("estimate: 0.5}", "estimate: 1.5}"),
        ("estimate: 0.5}", "guess: 0.5}"),
        ("levels: [starting, developing]", "levels: []"),
        (
            "        allow_dont_know: true\n        text:\n          en: Learners get",
            "        trustworthiness: true\n        text:\n          en: Learners get",
        ),
        (
            "      - id: prep_tools\n",
            "      - {id: note, type: text, allow_dont_know: true, text: {en: N, da: N}}\n      - id: prep_tools\n",
        ),
        ("threshold: 0.75", "threshold: 2"),
        ("    rubric: staged\n", "    rubric: 3\n"),
    ]
    for old, new in refused:
        assert old in TEXT
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(parse(TEXT.replace(old, new, 1)).data, schema)


# -- answers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "value", "expected"),
    [
        ("prep_language", "dk", "dk"),
        ("prep_agreement", "dk", "dk"),
        ("prep_tools", "dk", "dk"),
        ("reach_share", "dk", "dk"),
        ("reach_share", {"value": "12,5", "source": "records"}, {"value": 12.5, "source": "records"}),
        ("reach_funding", "dk", "dk"),
    ],
)
def test_dont_know_and_figures_with_sources_are_answers(qid, value, expected):
    assert canonical_answer(bank().question(qid), value) == (expected, None)


@pytest.mark.parametrize(
    ("qid", "value", "error"),
    [
        ("rec_return", "dk", '"dk" (don\'t know) is not allowed here; the bank has no allow_dont_know: true for it'),
        ("reach_share", 12, "the figure needs its source"),
        ("reach_share", {"value": 12}, "the source of the figure must be one of register, records, estimate, not None"),
        ("reach_share", {"value": 12, "source": "guess"}, "must be one of register, records, estimate, not 'guess'"),
        ("reach_share", {"value": 120, "source": "records"}, "outside the allowed range 0 to 100"),
        ("reach_share", {"value": 12, "source": "records", "by": "me"}, "unknown key 'by' in the answer"),
    ],
)
def test_wrong_answers_say_what_is_wrong(qid, value, error):
    found, message = canonical_answer(bank().question(qid), value)
    assert found is None and error in message


def test_dont_know_is_answered_but_scored_nowhere():
    loaded = bank()
    result = score(loaded, DOC_ANSWERS)
    # As docs/rubrics.md works it out.
    assert result.dimensions["preparation"].score == pytest.approx(100)
    assert result.dimensions["preparation"].counted == 1
    assert "prep_language" not in result.questions
    assert result.dimensions["reach"].score == pytest.approx(100 * (0.5 * 0.5 + 1) / 1.5)
    assert result.dimensions["recognition"] == (50.0, "developing", 2, 2)
    assert result.score == pytest.approx((100 + 100 * 1.25 / 1.5 + 50) / 3)
    assert result.level == "established"
    # A required question answered "don't know" is answered: the set is complete.
    assert check_answers(loaded, DOC_ANSWERS).problems == []
    assert [q.id for q in dont_know(loaded, DOC_ANSWERS)["preparation"]] == ["prep_language"]
    every_dk = {**DOC_ANSWERS, "prep_agreement": "dk"}
    assert score(loaded, every_dk).dimensions["preparation"] == (None, None, 0, 3)


@pytest.mark.parametrize(("source", "reach"), [("register", 75.0), ("records", 75.0), ("estimate", 250 / 3)])
def test_trustworthiness_multiplies_the_weight(source, reach):
    answers = {**DOC_ANSWERS, "reach_share": {"value": 4, "source": source}}
    assert score(bank(), answers).dimensions["reach"].score == pytest.approx(reach)


def test_without_factors_the_source_changes_nothing_and_a_zero_factor_leaves_the_figure_out():
    plain = bank(TEXT.replace("  trustworthiness: {register: 1, records: 1, estimate: 0.5}\n", ""))
    assert score(plain, DOC_ANSWERS).dimensions["reach"].score == pytest.approx(75)
    zero = bank(TEXT.replace("estimate: 0.5}", "estimate: 0}"))
    assert score(zero, DOC_ANSWERS).dimensions["reach"] == (100.0, "established", 1, 2)


def test_a_staged_dimension_climbs_by_its_levels_inside_a_weighted_mean_bank():
    loaded = bank()
    met = score(loaded, {**DOC_ANSWERS, "rec_return": "yes"}).dimensions["recognition"]
    assert met == (100.0, "established", 2, 2)
    # The later criterion met without the earlier one: the climb stops at the first level.
    skipped = score(loaded, {**DOC_ANSWERS, "rec_agreement": "no", "rec_return": "yes"}).dimensions["recognition"]
    assert skipped == (50.0, "starting", 2, 2)
    # A "don't know" drops the criterion as in the staged rubric of a whole bank.
    unknown = score(loaded, {**DOC_ANSWERS, "rec_agreement": "dk", "rec_return": "yes"}).dimensions["recognition"]
    assert unknown == (100.0, "established", 1, 2)
    # The other dimensions are the bank's weighted mean, whatever the staged dimension's settings.
    assert score(loaded, DOC_ANSWERS).dimensions["reach"].level == "established"


def test_cli_scores_the_worked_example(run_cli, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(DOC_ANSWERS), encoding="utf-8")
    out = json.loads(run_cli("score", str(FIXTURE), str(path)).stdout)
    assert out["overall"] == {"score": 77.8, "level": "established"}
    assert out["dimensions"]["reach"]["score"] == 83.3
    assert out["dimensions"]["recognition"] == {"score": 50.0, "level": "developing", "counted": 2, "of": 2}


def test_synthetic_answers_sometimes_do_not_know_and_always_give_sources():
    loaded = bank()
    rng = random.Random(3)
    drawn = [random_answers(loaded, rng, 0.3) for _ in range(200)]
    assert all(check_answers(loaded, a).problems == [] for a in drawn)
    assert any(a.get("prep_language") == "dk" for a in drawn)
    figures = [a["reach_share"] for a in drawn if isinstance(a.get("reach_share"), dict)]
    assert figures and {f["source"] for f in figures} == {"register", "records", "estimate"}


def test_diff_reports_the_additions():
    old = bank()
    new_text = (
        TEXT.replace("        allow_dont_know: true\n        trustworthiness: true\n", "")
        .replace("    rubric: staged\n    threshold: 0.75\n", "    rubric: staged\n    threshold: 0.5\n")
        .replace("        levels: [starting, developing]\n", "        levels: [starting]\n")
        .replace(
            "      - title: {en: Erasmus+ accreditation in VET",
            "      - title: {en: National agency, da: Styrelsen}\n        url: https://ufm.dk/\n"
            "      - title: {en: Erasmus+ accreditation in VET",
        )
    )
    changes = [str(c) for c in diff(old, bank(new_text))]
    assert "[scoring] question 'reach_share': allow_dont_know True → False" in changes
    assert "[scoring] question 'reach_share': trustworthiness True → False" in changes
    assert "[scoring] dimension 'recognition': rubric settings {'threshold': 0.75} → {'threshold': 0.5}" in changes
    assert "[wording] dimension 'reach': resource 'https://ufm.dk/' added" in changes
    assert any(
        c.startswith("[wording] dimension 'preparation': resource 'https://academy.europa.eu") and c.endswith("changed")
        for c in changes
    )
    gone = TEXT.replace("    rubric: staged\n    threshold: 0.75\n", "").replace("        level: developing\n", "")
    gone = gone.replace("        level: established\n", "")
    assert "[scoring] dimension 'recognition': rubric 'staged' → None" in [str(c) for c in diff(old, bank(gone))]


# -- organisations ---------------------------------------------------------------------------

# The roles fixture with "don't know" on two questions, resources, and recognition as a staged dimension.
ROLES_V2 = (
    ROLES_BANK.replace(
        "      - {id: hosts, type: scale, scale: agree5, roles: [staff, company],",
        "      - {id: hosts, type: scale, scale: agree5, allow_dont_know: true, roles: [staff, company],",
    )
    .replace(
        "      - {id: plan, type: scale, scale: agree5, text:",
        "      - {id: plan, type: scale, scale: agree5, allow_dont_know: true, text:",
    )
    .replace(
        "    roles: [staff, company, learners]\n",
        "    roles: [staff, company, learners]\n    rubric: staged\n"
        "    resources:\n      - {title: {en: Europass, da: Europass}, url: https://europass.europa.eu/, levels: [starting]}\n",
    )
    .replace(
        "      - {id: agreement, type: yesno, text:", "      - {id: agreement, type: yesno, level: developing, text:"
    )
    .replace(
        "      - {id: recognised, type: scale, scale: agree5, text:",
        "      - {id: recognised, type: scale, scale: agree5, level: established, text:",
    )
)


@pytest.fixture
def world(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "roles.yaml").write_text(ROLES_V2, encoding="utf-8")
    catalog = Catalog.load(folder)
    db = store.connect(database)
    return db, catalog, catalog.get("roles")


def test_organisation_counts_dont_know_per_reached_group_only(world):
    db, catalog, roles_bank = world
    found = coordinate(db, catalog, roles_bank)
    answer(db, catalog, found, "leaders", {"plan": "dk", "budget": "yes", "prepared": 5})
    answer(db, catalog, found, "staff", {"plan": 3, "prepared": 4, "hosts": "dk", "agreement": "yes", "recognised": 3})
    answer(db, catalog, found, "staff", {"plan": "dk", "prepared": 2, "hosts": 4, "agreement": "no", "recognised": 4})
    answer(db, catalog, found, "company", {"prepared": 2, "hosts": "dk", "agreement": "no", "recognised": 1})
    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    assert report.questions["staff"]["plan"].dont_know == 1
    assert report.questions["staff"]["hosts"].dont_know == 1
    assert report.questions["leaders"]["plan"].dont_know == 1
    assert "company" not in report.questions  # one of the two needed: nothing of it is shown
    shown = rounds.report_json(roles_bank, report)
    assert shown["groups"]["staff"]["dont_know"] == {"hosts": 1, "plan": 1}
    assert shown["groups"]["leaders"]["dont_know"] == {"plan": 1}
    assert "dont_know" not in shown["groups"]["company"]
    # Leaders answered only "don't know" in strategy's scale, so their strategy score is the budget alone.
    assert report.result.groups["leaders"].dimensions["strategy"].mean == pytest.approx(100)
    # Recognition is staged: one of the two staff reached developing, the other starting; half of
    # the group reached developing, the only counted group in it.
    assert report.result.dimensions["recognition"].level == "developing"


def test_the_organisation_level_of_a_staged_dimension_comes_from_the_groups_levels(world):
    _db, _catalog, roles_bank = world
    met = {"plan": 5, "prepared": 5, "hosts": 5, "agreement": "yes", "recognised": 5}
    half = {"plan": 5, "prepared": 5, "hosts": 5, "agreement": "yes", "recognised": 1}
    results = {
        "staff": [score(roles_bank, met, role="staff"), score(roles_bank, half, role="staff")],
        "company": [score(roles_bank, met, role="company")] * 2,
        "leaders": [score(roles_bank, {"plan": 5, "budget": "yes", "prepared": 5}, role="leaders")],
    }
    assert [r.dimensions["recognition"].level for r in results["staff"]] == ["established", "developing"]
    org = combine(roles_bank, results)
    # Staff: half reached established (the highest level at least half reached); company: established.
    assert org.dimensions["recognition"].level == "established"
    results["staff"].append(score(roles_bank, half, role="staff"))
    assert combine(roles_bank, results).dimensions["recognition"].level == "developing"


# -- the web ------------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "format-v2.yaml").write_text(TEXT, encoding="utf-8")
    config = {
        "SELFASSESS_DATABASE": database,
        "SELFASSESS_QUESTIONNAIRES": str(folder),
        "SECRET_KEY": "test",
        "TESTING": True,
        "SELFASSESS_RATE_LIMIT": "100000 per minute",
    }
    return create_app(config)


PAGES = {
    1: {"country": "NO", "learners": "340", "learners.source": "register", "_organisation": "Bergen fagskole"},
    2: {"prep_language": "dk", "prep_agreement": "no", "prep_tools": "dk"},
    3: {"reach_share": "12", "reach_share.source": "estimate", "reach_funding": "dk"},
    4: {"rec_agreement": "yes", "rec_return": "no"},
}


def take(respondent: Respondent, pages: dict = PAGES) -> None:
    for number, data in pages.items():
        response = respondent.post_page(number, data)
        assert response.status_code == 302, response.get_data(as_text=True)


def test_pages_offer_dont_know_no_data_and_the_source(client):
    respondent = Respondent(client, "format-v2")
    page2 = respondent.get("/page/2").get_data(as_text=True)
    assert page2.count(">Don&#39;t know</label>") == 3  # scale, yes/no, multi
    page3 = respondent.get("/page/3").get_data(as_text=True)
    assert re.search(
        r'<input type="checkbox" id="reach_share-dk" name="reach_share" value="dk"><label for="reach_share-dk">No data</label>',
        page3,
    )
    assert "<legend>Where does the figure come from?</legend>" in page3
    assert re.findall(r'name="reach_share\.source" value="(\w+)"', page3) == ["register", "records", "estimate"]
    danish = Respondent(client.application.test_client(), "format-v2", lang="da")
    page3_da = danish.get("/page/3").get_data(as_text=True)
    assert ">Ingen data</label>" in page3_da and ">Skøn</label>" in page3_da and ">Ved ikke</label>" in page3_da


def test_a_figure_without_its_source_is_asked_again(client):
    respondent = Respondent(client, "format-v2")
    response = respondent.post_page(3, {"reach_share": "12", "reach_funding": "grants"})
    html = response.get_data(as_text=True)
    assert response.status_code != 302
    assert "Say where the figure comes from." in html
    assert 'value="12"' in html  # what was typed stays
    kept = respondent.post_page(3, {"reach_share": "12", "reach_share.source": "records", "reach_funding": "grants"})
    assert kept.status_code == 302
    # "No data" needs no source, and drops a source sent along.
    assert (
        respondent.post_page(
            3, {"reach_share": "dk", "reach_share.source": "records", "reach_funding": "grants"}
        ).status_code
        == 302
    )
    answers = client.get(f"/api/responses/{respondent.token}").get_json()["answers"]
    assert answers["reach_share"] == "dk"


def test_not_applicable_and_no_data_together_are_refused(tmp_path, database):
    folder = tmp_path / "both"
    folder.mkdir()
    text = TEXT.replace(
        "        allow_dont_know: true\n        trustworthiness: true\n",
        "        allow_na: true\n        allow_dont_know: true\n        trustworthiness: true\n",
    )
    (folder / "format-v2.yaml").write_text(text, encoding="utf-8")
    both = create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SELFASSESS_QUESTIONNAIRES": str(folder),
            "SECRET_KEY": "t",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
        }
    )
    respondent = Respondent(both.test_client(), "format-v2", lang="da")
    page = respondent.get("/page/3").get_data(as_text=True)
    assert ">Ikke relevant</label>" in page and ">Ingen data</label>" in page
    html = respondent.post_page(3, {"reach_share": ["7", "na", "dk"], "reach_funding": "grants"}).get_data(as_text=True)
    assert "Vælg enten “Ikke relevant” eller “Ingen data”, ikke begge dele." in html
    assert 'value="7"' in html


def test_multi_refuses_dont_know_with_options(client):
    respondent = Respondent(client, "format-v2")
    html = respondent.post_page(2, {"prep_tools": ["dk", "ols"]}).get_data(as_text=True)
    assert "Choose either “Don&#39;t know” or options, not both." in html


def test_dont_know_on_required_questions_lets_the_respondent_submit_and_the_report_shows_gaps(client):
    respondent = Respondent(client, "format-v2")
    take(respondent)
    review = respondent.get("/review").get_data(as_text=True)
    assert "Every required question is answered" in review
    assert "12 % · Estimate" in review and "340 · Register or audited data" in review
    assert "No data" not in review and review.count("Don&#39;t know") == 3
    assert respondent.submit().headers["Location"] == f"/r/{respondent.token}/report"
    html = respondent.get("/report").get_data(as_text=True)
    assert "Not known: 3 questions answered “Don&#39;t know” or “No data”, knowledge gaps to close." in html
    gap = re.search(r'<div class="knowledge-gap" data-dimension="preparation">(.*?)</div>', html, re.S).group(1)
    assert "<h4>Knowledge gaps: 2 questions</h4>" in gap
    assert re.findall(r"<li>(.*?) <span", gap) == [
        "Learners get language preparation before they leave.",
        "Which tools do learners use?",
    ]
    assert gap.count('<span class="gap-answer">(answered “Don&#39;t know”)</span>') == 2
    assert "These answers are not scored." in gap
    assert '<div class="knowledge-gap" data-dimension="reach">' in html
    # The next steps hold the same links for paper, where the advice is left out.
    plan = html[html.index('id="plan-heading"') : html.index('id="advice-heading"')]
    assert re.search(r'<ul class="resources print-only">.*?>Europass Mobility</a>', plan, re.S)
    # Resources of the level reached (preparation: starting), under the advice, as links.
    advice = html[html.index('id="advice-preparation"') :]
    advice = advice[: advice.index("</div>")]
    assert "<p>Give every learner a learning agreement.</p>" in advice
    assert (
        '<a href="https://europass.europa.eu/en/europass-digital-tools/europass-mobility">Europass Mobility</a>'
        in advice
    )
    assert ">Erasmus+ Online Language Support</a>" in advice
    assert (
        "<dt>What share of last training year&#39;s learners trained abroad (in percent)?</dt>"
        '<dd class="figure">12 % · Estimate</dd>' in html
    )
    danish = respondent.get("/report?lang=da").get_data(as_text=True)
    assert "https://europass.europa.eu/da/europass-digital-tools/europass-mobility" in danish
    assert "12 % · Skøn" in danish and "Videnshuller: 2 spørgsmål" in danish


def test_report_json_has_gaps_sources_and_resources(client):
    respondent = Respondent(client, "format-v2")
    take(respondent)
    respondent.submit()
    data = respondent.get("/report.json").get_json()
    assert data["knowledge_gaps"] == {
        "preparation": ["prep_language", "prep_tools"],
        "reach": ["reach_funding"],
        "recognition": [],
    }
    assert data["sources"] == {
        "learners": {"value": 340, "source": "register"},
        "reach_share": {"value": 12, "source": "estimate"},
    }
    assert data["resources"]["preparation"] == [
        {
            "title": "Erasmus+ Online Language Support",
            "url": "https://academy.europa.eu/local/euacademy/pages/course/community-overview.php?title=languages",
        },
        {"title": "Europass Mobility", "url": "https://europass.europa.eu/en/europass-digital-tools/europass-mobility"},
    ]
    assert data["result"]["dimensions"]["recognition"]["level"] == "developing"
    assert data["result"]["dimensions"]["preparation"]["counted"] == 1


def test_exports_show_the_labels_and_the_sources(app, client):
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    from selfassess import accounts

    owner = accounts.add(db, "owner@agency.eu", "a long password")
    cohort = cohorts.create(db, owner.id, "format-v2", "Format seminar")
    page = client.get(f"/join/{cohort.code}").get_data(as_text=True)
    started = client.post(f"/join/{cohort.code}", data={"csrf_token": csrf_token(page), "lang": "da"})
    respondent = Respondent.__new__(Respondent)
    respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
    take(respondent)
    respondent.submit()
    loaded = app.extensions["selfassess_catalog"].get("format-v2")
    rows = {r["question"]: r for r in exports.answer_rows(db, cohort, loaded, "da")}
    assert rows["prep_language"]["answer"] == "dk" and rows["prep_language"]["answer_label"] == "Ved ikke"
    assert rows["reach_share"]["answer"] == 12 and rows["reach_share"]["source"] == "estimate"
    assert rows["reach_share"]["source_label"] == "Skøn"
    assert rows["reach_funding"]["answer_label"] == "Ved ikke"
    assert rows["prep_agreement"]["source"] == "" and rows["prep_agreement"]["answer_label"] == "Nej"
    results = exports.response_rows(db, cohort, loaded, "da", rounded=True)
    assert results[0]["learners"] == 340 and results[0]["learners_source"] == "register"
    table = list(
        csv.DictReader(io.StringIO(exports.to_csv(exports.answer_rows(db, cohort, loaded, "en")).lstrip("\ufeff")))
    )
    assert {"source", "source_label"} <= set(table[0])
    shown = {r["question"]: r for r in table}
    assert shown["reach_share"]["answer"] == "12" and shown["reach_share"]["source_label"] == "Estimate"
    assert shown["reach_share"]["answer_label"] == "" and shown["prep_tools"]["answer_label"] == "Don't know"
    workbook = exports.workbook(db, cohort, loaded, "en")
    assert workbook[:2] == b"PK"
    db.conn.close()


def test_preview_offers_dont_know_and_scores_figures_with_sources(tmp_path):
    path = tmp_path / "format-v2.yaml"
    path.write_text(TEXT, encoding="utf-8")
    client = create_preview_app(path).test_client()
    html = client.get("/").get_data(as_text=True)
    assert html.count(">Don&#39;t know</label>") == 5 and html.count(">No data</label>") == 2
    assert 'name="reach_share.source"' in html
    result = client.post("/score", json=DOC_ANSWERS, headers={"X-CSRFToken": csrf_token(html)}).get_json()
    assert result["problems"] == []
    assert result["dimensions"]["reach"]["score"] == pytest.approx(250 / 3)
    assert result["overall"]["score"] == pytest.approx((100 + 250 / 3 + 50) / 3)
    # The links of the level reached: established preparation shows Europass, not the language support.
    assert '<ul class="resources" data-resources="preparation"></ul>' in html
    assert result["dimensions"]["preparation"]["resources"] == [
        {"title": "Europass Mobility", "url": "https://europass.europa.eu/en/europass-digital-tools/europass-mobility"}
    ]
    assert result["dimensions"]["recognition"]["resources"] == []
    # An estimate weighs half: the contribution the preview shows says so.
    assert result["questions"]["reach_share"] == {"weight": 0.5, "s": 0.5, "contribution": 0.25}


def test_organisation_report_shows_dont_know_per_reached_group_and_resources(tmp_path, database):
    from tests.test_coordinate import answer as answer_by_link
    from tests.test_coordinate import role_links, start_round

    folder = tmp_path / "roles-v2"
    folder.mkdir()
    (folder / "roles.yaml").write_text(ROLES_V2.replace("min_respondents: 5}", "min_respondents: 3}"), encoding="utf-8")
    roles_app = create_app(
        {
            "SELFASSESS_DATABASE": database,
            "SELFASSESS_QUESTIONNAIRES": str(folder),
            "SECRET_KEY": "test",
            "TESTING": True,
            "SELFASSESS_RATE_LIMIT": "100000 per minute",
        }
    )
    client = roles_app.test_client()
    token = start_round(client)
    links = role_links(client, token)
    answer_by_link(roles_app.test_client(), links["leaders"], {"plan": "dk", "budget": "yes", "prepared": 5})
    for plan in ("dk", 4):
        staff = {"plan": plan, "prepared": 4, "hosts": "dk", "agreement": "no", "recognised": 3}
        answer_by_link(roles_app.test_client(), links["staff"], staff)
    answer_by_link(
        roles_app.test_client(), links["company"], {"prepared": 1, "hosts": "dk", "agreement": "no", "recognised": 1}
    )
    page = client.get(f"/c/{token}").get_data(as_text=True)
    client.post(f"/c/{token}/close", data={"csrf_token": csrf_token(page)})
    html = client.get(f"/c/{token}/report").get_data(as_text=True)
    staff = re.search(r'<table class="scores question-results" data-role="staff">(.*?)</table>', html, re.S).group(1)
    assert '<th scope="col">Don&#39;t know</th>' in staff
    assert re.search(r'<tr data-question="hosts">.*?<td class="dont-know">2</td>', staff, re.S)
    assert re.search(r'<tr data-question="plan">.*?<td class="dont-know">1</td>', staff, re.S)
    assert re.search(r'<tr data-question="prepared">.*?<td class="dont-know">–</td>', staff, re.S)
    assert 'data-role="company"' not in html  # below its minimum: no figures at all
    assert "“Don&#39;t know” answers are not in the mean" in html
    # Recognition, staged, reached "starting": its resource is there, as a link.
    assert '<a href="https://europass.europa.eu/">Europass</a>' in html
    data = client.get(f"/c/{token}/report.json").get_json()
    assert data["result"]["groups"]["staff"]["dont_know"] == {"hosts": 2, "plan": 1}
    assert "dont_know" not in data["result"]["groups"]["company"]
    assert data["resources"]["recognition"] == [{"title": "Europass", "url": "https://europass.europa.eu/"}]
    assert data["resources"]["strategy"] == []
    danish = client.get(f"/c/{token}/report.json?lang=da").get_json()
    assert danish["resources"]["recognition"] == [{"title": "Europass", "url": "https://europass.europa.eu/"}]
