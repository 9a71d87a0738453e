"""No figure of a round's report is one or two people's own answers, even in a group that counts (issue 14).

A group counts once as many answered as its minimum, but a question shown only to some
(show_if), or a dimension where most answered "not applicable" or "don't know", can have fewer
answers than that: such figures are held back, and a spread shows no single person's score.
"""

from __future__ import annotations

from selfassess import rounds, store
from selfassess.bank.catalog import Catalog
from selfassess.bank.loader import load_bank
from selfassess.scoring.organisation import SPREAD_FROM, combine
from selfassess.scoring.rubrics.base import DimensionResult, Result
from selfassess.web import create_app
from tests.conftest import FIXTURES
from tests.test_rounds import LEADER, STAFF, answer, coordinate

BANK = load_bank(FIXTURES / "roles.yaml")  # learners need 3


def result(**scores: float | None) -> Result:
    dims = {
        d.id: DimensionResult(scores.get(d.id), None, int(scores.get(d.id) is not None), 2) for d in BANK.dimensions
    }
    return Result(None, None, dims)


def test_a_dimension_scored_by_fewer_than_the_minimum_is_held_back():
    # Three learners count as a group, but only one of them has a score in placements.
    learners = [result(placements=20.0, recognition=50.0), result(recognition=60.0), result(recognition=70.0)]
    org = combine(BANK, {"learners": learners})
    group = org.groups["learners"]
    assert group.reached
    assert group.dimensions["placements"].mean is None  # one learner's own score otherwise
    assert org.dimensions["placements"].score is None  # and not mixed into the organisation's
    assert group.dimensions["recognition"].mean == 60.0
    assert group.dimensions["recognition"].spread is None  # three scores: a spread would be theirs


def test_a_spread_shows_the_middle_half_only_and_from_five_scores():
    learners = [result(recognition=float(s)) for s in (0, 25, 50, 75, 100)]
    spread = combine(BANK, {"learners": learners}).groups["learners"].dimensions["recognition"].spread
    assert len(learners) == SPREAD_FROM
    assert spread is not None and tuple(spread) == (25.0, 50.0, 75.0)  # never the lowest or the highest


def test_a_question_few_were_shown_gives_no_figures(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "roles.yaml").write_text((FIXTURES / "roles.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    catalog = Catalog.load(folder)
    bank = catalog.get("roles")
    db = store.connect(database)
    found = coordinate(db, catalog, bank)
    answer(db, catalog, found, "leaders", LEADER)
    for staff in STAFF:
        answer(db, catalog, found, "staff", staff)
    # Three learners: the group counts. Only one has been abroad, so only one answers "support".
    base = {"prepared": 3, "agreement": "yes", "recognised": 4}
    answer(db, catalog, found, "learners", {**base, "abroad": "yes", "support": 1})
    answer(db, catalog, found, "learners", {**base, "abroad": "no"})
    answer(db, catalog, found, "learners", {**base, "abroad": "no"})
    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    learners = report.questions["learners"]
    assert learners["abroad"].counts == {"yes": 1, "no": 2}  # three answers: shown, as SELFIE shows them
    support = learners["support"]
    assert (support.answered, support.mean, support.counts) == (1, None, {})  # the one learner abroad's answer
    app = create_app({"SELFASSESS_DATABASE": database, "SELFASSESS_QUESTIONNAIRES": str(folder), "SECRET_KEY": "t"})
    page = app.test_client().get(f"/c/{found.token}/report").get_data(as_text=True)
    row = page[page.index('data-role="learners"') :]
    row = row[row.index('data-question="support"') :]
    assert "Fewer answers than the 3 needed: not shown" in row[: row.index("</tr>")]


def test_the_organisations_report_speaks_the_language_asked_for(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "roles.yaml").write_text((FIXTURES / "roles.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    catalog = Catalog.load(folder)
    db = store.connect(database)
    found = coordinate(db, catalog, catalog.get("roles"))
    answer(db, catalog, found, "leaders", LEADER)
    rounds.close(db, rounds.open_round(db, catalog, found.token))
    app = create_app({"SELFASSESS_DATABASE": database, "SELFASSESS_QUESTIONNAIRES": str(folder), "SECRET_KEY": "t"})
    page = app.test_client().get(f"/c/{found.token}/report?lang=da").get_data(as_text=True)
    assert '<html lang="da">' in page and "Strategi" in page  # the bank's and the interface's Danish
    assert 'aria-current="true">Dansk' in page


def test_a_groups_figures_show_as_figures_with_their_sources(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    share = (
        "      - {id: share, type: number, unit: '%', min: 0, max: 100, score: {from: 0, to: 12}, trustworthiness: true,"
        " roles: [staff], text: {en: Share of learners abroad, da: Andel elever i udlandet}}\n"
    )
    text = (FIXTURES / "roles.yaml").read_text(encoding="utf-8")
    anchor = "      - {id: budget,"
    text = text.replace(anchor, share + anchor, 1)
    (folder / "roles.yaml").write_text(text, encoding="utf-8")
    catalog = Catalog.load(folder)
    bank = catalog.get("roles")
    db = store.connect(database)
    found = coordinate(db, catalog, bank)
    answer(db, catalog, found, "leaders", LEADER)
    answer(db, catalog, found, "staff", {**STAFF[0], "share": {"value": 10, "source": "register"}})
    answer(db, catalog, found, "staff", {**STAFF[1], "share": {"value": 6, "source": "estimate"}})
    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    figures = report.questions["staff"]["share"]
    assert (figures.figure, figures.sources) == (8, {"register": 1, "estimate": 1})
    assert rounds.report_json(bank, report)["groups"]["staff"]["figures"]["share"] == {
        "mean": 8,
        "sources": {"register": 1, "estimate": 1},
    }
    app = create_app({"SELFASSESS_DATABASE": database, "SELFASSESS_QUESTIONNAIRES": str(folder), "SECRET_KEY": "t"})
    page = app.test_client().get(f"/c/{found.token}/report").get_data(as_text=True)
    row = page[page.index('data-role="staff"') :]
    row = row[row.index('data-question="share"') :]
    row = row[: row.index("</tr>")]
    assert "Mean figure: 8" in row and "Register or audited data: 1" in row and "Estimate: 1" in row
