"""Rounds of a bank with roles (issue 14): start, join by role, participation, close, the stored report."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from selfassess import assessments, rounds, store
from selfassess.assessments import PageAnswers
from selfassess.bank.catalog import Catalog
from tests.conftest import FIXTURES

# The fixture's learners need 3; these tests want a group that stays below its minimum.
ROLES_BANK = (FIXTURES / "roles.yaml").read_text(encoding="utf-8").replace("min_respondents: 3}", "min_respondents: 5}")


def roles_folder(tmp_path: Path) -> Path:
    """A questionnaires folder holding the roles fixture, learners needing 5."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "roles.yaml").write_text(ROLES_BANK, encoding="utf-8")
    return folder


@pytest.fixture
def world(tmp_path, database):
    catalog = Catalog.load(roles_folder(tmp_path))
    db = store.connect(database)
    return db, catalog, catalog.get("roles")


def coordinate(db, catalog, bank, name="Vejle Tekniske Skole"):
    response = rounds.start(db, bank, "en")
    found = assessments.open_by_token(db, catalog, response.token)
    assessments.save_page(db, found, 1, PageAnswers({"size": "small"}, organisation=name))
    return rounds.open_round(db, catalog, response.token)


def answer(db, catalog, found, role, answers):
    invitation = store.invitations(db, found.round.id)[role]
    draft = rounds.join(db, catalog, invitation)
    assessment = assessments.open_by_token(db, catalog, draft.token)
    for page in assessment.pages:
        given = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        assessments.save_page(db, assessment, page.number, PageAnswers(given))
    assert assessments.submit(db, assessments.open_by_token(db, catalog, draft.token)).ok
    return draft


LEADER = {"plan": 4, "budget": "yes", "prepared": 5}
STAFF = [
    {"plan": 3, "prepared": 4, "hosts": 3, "agreement": "yes", "recognised": 3},
    {"plan": 5, "prepared": 2, "hosts": 4, "agreement": "no", "recognised": 4},
]
LEARNER = {"prepared": 3, "abroad": "yes", "support": 5, "agreement": "yes", "recognised": 5, "story": "zebra-42"}


def test_respondent_pages_hold_only_their_roles_questions(world):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    assert [p.number for p in found.assessment.pages] == [1]  # the coordinator answers the profile only
    draft = rounds.join(db, catalog, store.invitations(db, found.round.id)["leaders"])
    assessment = assessments.open_by_token(db, catalog, draft.token)
    assert [[q.id for q in p.questions] for p in assessment.pages] == [["plan", "budget"], ["prepared"]]
    assert draft.organisation_id is None and draft.cohort_id is None


def test_close_combines_reached_groups_and_stores_the_report(world):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    answer(db, catalog, found, "leaders", LEADER)
    for staff in STAFF:
        answer(db, catalog, found, "staff", staff)
    answer(db, catalog, found, "learners", LEARNER)
    draft = rounds.join(db, catalog, store.invitations(db, found.round.id)["company"])  # started, never submitted
    counts = {p.role.id: (p.started, p.submitted, p.needed) for p in rounds.participation(db, found)}
    assert counts == {"leaders": (1, 1, 1), "staff": (2, 2, 2), "company": (1, 0, 2), "learners": (1, 1, 5)}

    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    org = report.result
    # As docs/rubrics.md works it out: leaders 87.5 and 100, staff 75, 56.25, 56.25.
    assert org.dimensions["strategy"].score == pytest.approx((2 * 87.5 + 75) / 3)
    assert org.dimensions["placements"].score == pytest.approx((2 * 100 + 56.25) / 3)
    assert org.dimensions["recognition"].score == pytest.approx(56.25)
    assert not org.groups["learners"].reached and org.groups["learners"].dimensions == {}
    assert set(report.questions) == {"leaders", "staff"}
    assert report.questions["staff"]["plan"].counts == {"3": 1, "5": 1}
    assert report.questions["staff"]["plan"].mean == pytest.approx(75)
    assert report.texts == {}  # the learner's text is from a group below its minimum
    # Closing is once; the round takes no more respondents, and open drafts can no longer submit.
    again = rounds.open_round(db, catalog, found.token)
    assert again.round.closed and rounds.report(again.round) == report
    with pytest.raises(assessments.RoundClosed):
        rounds.close(db, again)
    with pytest.raises(assessments.RoundClosed):
        rounds.join(db, catalog, store.invitations(db, found.round.id)["staff"])
    late = assessments.open_by_token(db, catalog, draft.token)
    for page in late.pages:
        company = {"prepared": 1, "hosts": 1, "agreement": "no", "recognised": 1}
        assessments.save_page(
            db, late, page.number, PageAnswers({q.id: company[q.id] for q in page.questions if q.id in company})
        )
    with pytest.raises(assessments.RoundClosed):
        assessments.submit(db, late)
    # The organisation's submission is the coordinator's response, with the combined scores.
    scores = store.load_scores(db, found.assessment.response.id)
    assert scores[store.OVERALL]["score"] == pytest.approx(org.score)
    respondent_scores = [store.load_scores(db, r) for r in range(1, 20) if r != found.assessment.response.id]
    assert not any(respondent_scores)


def test_a_later_round_keeps_the_history(world):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    answer(db, catalog, found, "leaders", LEADER)
    rounds.close(db, rounds.open_round(db, catalog, found.token))
    closed = rounds.open_round(db, catalog, found.token)
    draft = rounds.start_again(db, catalog, closed)
    later = rounds.open_round(db, catalog, draft.token)
    assert later.round.organisation_id == closed.round.organisation_id
    assert rounds.profile_ready(db, later)  # the profile and the organisation carried over
    answer(db, catalog, later, "leaders", {**LEADER, "plan": 1})
    rounds.close(db, rounds.open_round(db, catalog, draft.token))
    [(_when, overall)] = rounds.history(db, rounds.open_round(db, catalog, draft.token).round)
    assert overall == pytest.approx(rounds.report(closed.round).result.score)


def test_close_needs_the_profile(world):
    db, catalog, bank = world
    response = rounds.start(db, bank, "en")
    with pytest.raises(rounds.ProfileMissing):
        rounds.close(db, rounds.open_round(db, catalog, response.token))


def test_a_respondent_cannot_open_the_round_and_the_coordinator_cannot_submit(world):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    draft = rounds.join(db, catalog, store.invitations(db, found.round.id)["staff"])
    with pytest.raises(assessments.UnknownToken):
        rounds.open_round(db, catalog, draft.token)
    with pytest.raises(assessments.Coordinating):
        assessments.submit(db, found.assessment)


def test_gaps_name_the_largest_difference(world):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    answer(db, catalog, found, "leaders", LEADER)
    for staff in STAFF:
        answer(db, catalog, found, "staff", staff)
    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    top = rounds.gaps(bank, report.result)[0]
    # placements: leaders 100, staff 56.25
    assert (top.dimension, top.lower, top.higher) == ("placements", "staff", "leaders")
    assert top.points == pytest.approx(43.75)


def test_a_submit_racing_the_close_is_in_the_result_or_refused(world, database, monkeypatch):
    db, catalog, bank = world
    found = coordinate(db, catalog, bank)
    for staff in STAFF:
        answer(db, catalog, found, "staff", staff)
    late = rounds.join(db, catalog, store.invitations(db, found.round.id)["staff"])
    assessment = assessments.open_by_token(db, catalog, late.token)
    for page in assessment.pages:
        given = {q.id: STAFF[0][q.id] for q in page.questions if q.id in STAFF[0]}
        assessments.save_page(db, assessment, page.number, PageAnswers(given))
    outcome: list[object] = []
    racers: list[threading.Thread] = []

    def submit_late() -> None:
        other = store.connect(database)
        try:
            outcome.append(assessments.submit(other, assessments.open_by_token(other, catalog, late.token)).ok)
        except assessments.RoundClosed as refused:
            outcome.append(refused)

    real_combine = rounds.combine

    def combine_while_a_respondent_submits(*args, **kwargs):
        # The respondent submits between the close's read of who submitted and its write.
        racers.append(threading.Thread(target=submit_late))
        racers[0].start()
        racers[0].join(timeout=1)  # before the fix it finishes here; after, it waits for the close
        return real_combine(*args, **kwargs)

    monkeypatch.setattr(rounds, "combine", combine_while_a_respondent_submits)
    report = rounds.close(db, rounds.open_round(db, catalog, found.token))
    racers[0].join()
    submitted = {p.role.id: p.submitted for p in rounds.participation(db, rounds.open_round(db, catalog, found.token))}
    assert report.result.groups["staff"].respondents == submitted["staff"]
    assert outcome and (outcome[0] is True) == (submitted["staff"] == 3)


def test_demo_data_of_a_bank_with_roles_is_closed_rounds_of_several_respondents(tmp_path, database):
    from selfassess.demo import create_demo_data

    catalog = Catalog.load(roles_folder(tmp_path))
    bank = catalog.get("roles")
    tokens = create_demo_data(database, [bank], 12, seed=7)
    db = store.connect(database)
    sizes, below = [], 0
    for token in tokens:
        found = rounds.open_round(db, catalog, token)
        assert found.round.closed and found.assessment.response.submitted
        org = rounds.report(found.round).result
        assert org.score is not None
        sizes += [g.respondents for g in org.groups.values()]
        below += sum(not g.reached for g in org.groups.values())
        assert {p.role.id: p.submitted for p in rounds.participation(db, found)} == {
            role: g.respondents for role, g in org.groups.items()
        }
    assert len(tokens) == 12 and max(sizes) >= 5 and 0 < below < len(sizes) / 2
    assert create_demo_data(database, [bank], 12) == []  # tops up, adds nothing more
