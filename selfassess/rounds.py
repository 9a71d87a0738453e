"""An organisation assessed by its people: rounds of a bank with roles.

A coordinator starts a round (their response holds the profile and the organisation),
hands out one invitation link per role, watches participation, and closes the round: then
every submitted respondent is scored on their role's view, :func:`combine` makes the
organisation's scores, and the result (with per-question figures of the groups that
reached their minimum, and the shareable texts, shuffled) is stored once, so the report
never changes. Nothing here returns one respondent's answers.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from statistics import fmean
from typing import Any, NamedTuple

from selfassess import assessments, cohorts, store
from selfassess.assessments import Assessment, BankUnavailable, RoundClosed, UnknownToken
from selfassess.bank.answers import check_answers
from selfassess.bank.catalog import Catalog
from selfassess.bank.model import DONT_KNOW, RESERVED_ANSWERS, TRUST_SOURCES, Questionnaire, Role, value_key
from selfassess.scoring.engine import score
from selfassess.scoring.organisation import (
    SPREAD_FROM,
    CombinedDimension,
    Group,
    GroupDimension,
    OrganisationResult,
    Spread,
    combine,
)
from selfassess.scoring.rubrics.base import DimensionResult, Result
from selfassess.scoring.rubrics.normalise import normalised_score
from selfassess.store import Db


class ProfileMissing(assessments.AssessmentError):
    """The coordinator has not yet answered the profile (or named the organisation)."""


class NoGroupReached(assessments.AssessmentError):
    """No group has its minimum of submitted respondents: closing would store a result without figures."""


class RoundOpen(assessments.AssessmentError):
    """The round is still open: it has to be closed before the next one starts."""


@dataclass(frozen=True)
class Coordination:
    """A round as its coordinator sees it: the round, their response and the whole bank version."""

    round: store.Round
    assessment: Assessment
    bank: Questionnaire

    @property
    def token(self) -> str:
        return self.assessment.response.token


def start(
    db: Db,
    bank: Questionnaire,
    language: str | None = None,
    *,
    cohort: cohorts.Cohort | None = None,
    organisation_id: int | None = None,
) -> store.Response:
    """Start a round of *bank* (a bank with roles); return the coordinator's response, whose token is their link."""
    response = assessments.start(db, bank, language, cohort=cohort)
    if organisation_id is not None:
        store.set_response_organisation(db, response.id, organisation_id)
    store.create_round(db, _fresh(db, response.id), tuple(r.id for r in bank.roles))
    return _fresh(db, response.id)


def start_again(db: Db, catalog: Catalog, found: Coordination) -> store.Response:
    """Start the organisation's next round, on the bank as it is now, with the same profile answers.

    Once only: while the organisation has an open round of the bank (a second click, or two
    coordinators at once), that round's coordinating response is returned instead.
    """
    if not found.round.closed:
        raise RoundOpen(found.token)
    bank = catalog.get(found.bank.id) or found.bank
    source = found.assessment.response
    draft = assessments.start(db, bank, source.language, cohort=cohorts.by_id(db, source.cohort_id))
    store.set_response_organisation(db, draft.id, source.organisation_id)
    draft = _fresh(db, draft.id)
    checked = check_answers(assessments.profile_view(bank), store.load_answers(db, source.id), partial=True)
    store.save_answers(db, draft, checked.answers, page=1)
    # The draft becomes the new round's, or is deleted when another request started it first.
    started = store.create_next_round(db, found.round, draft, tuple(r.id for r in bank.roles))
    return _fresh(db, started.response_id)


def _fresh(db: Db, response_id: int) -> store.Response:
    found = store.get_response_by_id(db, response_id)
    assert found is not None
    return found


def open_round(db: Db, catalog: Catalog, token: str) -> Coordination:
    """Return the round whose coordinator's link has *token*; any other token is unknown here."""
    assessment = assessments.open_by_token(db, catalog, token)
    response = assessment.response
    found = store.round_by_id(db, response.round_id) if response.coordinates and response.round_id else None
    if found is None:
        raise UnknownToken(token)
    bank = assessments.bank_as_answered(db, catalog, response)
    if bank is None or not bank.roles:
        raise BankUnavailable(response.bank_id)
    return Coordination(found, assessment, bank)


def join(db: Db, catalog: Catalog, invitation: str, language: str | None = None) -> store.Response:
    """Start an anonymous respondent's draft in the round and role an invitation token opens."""
    found = store.invitation(db, invitation)
    if found is None:
        raise UnknownToken(invitation)
    rnd, role = found
    return respond_as(db, catalog, rnd, role, language)


def invitation_tokens(db: Db, found: Coordination) -> dict[str, str]:
    """The round's invitation token per role id: the coordinator hands them out."""
    return store.invitations(db, found.round.id)


class Invitation(NamedTuple):
    """What a role's invitation opens: the bank version, the role, whether the round is closed, the round's language."""

    bank: Questionnaire
    role: Role
    closed: bool
    language: str


def invitation(db: Db, catalog: Catalog, token: str) -> Invitation | None:
    """The round and role an invitation token opens; ``None`` if unknown.

    The round's language is the one its coordinator answers in: respondents start in it,
    and may choose another of the bank's.
    """
    found = store.invitation(db, token)
    if found is None:
        return None
    rnd, role_id = found
    coordinating = _fresh(db, rnd.response_id)
    bank = assessments.bank_as_answered(db, catalog, coordinating)
    role = bank.role(role_id) if bank is not None else None
    if bank is None or role is None:
        return None
    language = coordinating.language if coordinating.language in bank.languages else bank.languages[0]
    return Invitation(bank, role, rnd.closed, language)


def closed_before_submitting(db: Db, response: store.Response) -> bool:
    """Whether *response* is a respondent's draft whose round was closed: it can no longer be changed or count."""
    if response.role is None or response.submitted or response.round_id is None:
        return False
    found = store.round_by_id(db, response.round_id)
    return found is None or found.closed


def respond_as(db: Db, catalog: Catalog, rnd: store.Round, role: str, language: str | None = None) -> store.Response:
    """Start a respondent's draft in *role* of the round (the coordinator may answer as a respondent too)."""
    coordinating = _fresh(db, rnd.response_id)
    bank = assessments.bank_as_answered(db, catalog, coordinating)
    if bank is None or role not in {r.id for r in bank.roles}:
        raise BankUnavailable(rnd.bank_id)
    if rnd.closed:
        raise RoundClosed(coordinating.token)
    language = language if language in bank.languages else coordinating.language
    response = store.create_response(db, bank, language)
    if not store.join_round(db, response, rnd.id, role):
        raise RoundClosed(coordinating.token)
    return _fresh(db, response.id)


class Participation(NamedTuple):
    """How many of a role group started and submitted, against the role's minimum."""

    role: Role
    started: int
    submitted: int

    @property
    def needed(self) -> int:
        return self.role.min_respondents

    @property
    def reached(self) -> bool:
        return self.submitted >= self.needed


def participation(db: Db, found: Coordination) -> list[Participation]:
    """Return each role's participation, in the bank's order of roles."""
    counts = store.participation(db, found.round.id)
    return [Participation(role, *counts.get(role.id, (0, 0))) for role in found.bank.roles]


class RoundStatus(NamedTuple):
    """An organisation's round as its cohort's facilitators see it: closed or not, and each role's participation."""

    closed: bool
    roles: list[Participation]


def cohort_participation(db: Db, cohort: cohorts.Cohort, bank: Questionnaire) -> dict[int, RoundStatus]:
    """Per coordinating response (a member of the cohort), its round's status and participation per role."""
    return {
        response_id: RoundStatus(closed, [Participation(role, *counts.get(role.id, (0, 0))) for role in bank.roles])
        for response_id, (closed, counts) in store.cohort_participation(db, cohort.id).items()
    }


def newest_participation(db: Db, cohort: cohorts.Cohort, bank: Questionnaire) -> dict[int, RoundStatus]:
    """Like :func:`cohort_participation`, but each organisation's newest round, open or closed, for any of its rounds."""
    every = cohort_participation(db, cohort, bank)
    return {response_id: every[newest] for response_id, newest in store.newest_rounds(db, cohort.id).items()}


def below_minimum(db: Db, found: Coordination) -> list[Participation]:
    """The groups whose submitted respondents are fewer than they need: closing now leaves them out."""
    return [p for p in participation(db, found) if not p.reached]


def profile_ready(db: Db, found: Coordination) -> bool:
    """Whether the coordinator answered the required profile questions and named the organisation."""
    response = found.assessment.response
    stored = store.load_answers(db, response.id)
    checked = check_answers(assessments.profile_view(found.bank), stored)
    return not checked.problems and bool(store.organisation_name(db, response.organisation_id))


# --- closing ---------------------------------------------------------------------------------


class QuestionFigures(NamedTuple):
    """One question in one group: how many answered, the mean normalised answer (0-100), how often each answer.

    Fewer answers than the group's minimum (a question shown only to some, or left out) give
    no mean and no counts: they would be one or two people's own answers.
    """

    answered: int
    mean: float | None
    # Per answer key; for a figure, per source ("register", "records", "estimate") and "na"/"dk".
    counts: dict[str, int]
    # A number question's mean figure, in the question's unit (the mean above is its 0-100 score).
    figure: float | None = None

    def within(self, needed: int) -> QuestionFigures:
        """These figures as the group's minimum *needed* lets them be shown."""
        if self.answered < needed:
            return QuestionFigures(self.answered, None, {}, None)
        return self

    @property
    def sources(self) -> dict[str, int]:
        """How many of a figure's answers came from each source (questions asking for trustworthiness)."""
        return {key: n for key, n in self.counts.items() if key in TRUST_SOURCES}

    @property
    def dont_know(self) -> int:
        """How many answered "don't know" ("no data"): a knowledge gap in the group."""
        return self.counts.get(DONT_KNOW, 0)


@dataclass(frozen=True)
class OrganisationReport:
    """What the organisation's report shows: the combined result, per-question figures of reached groups, shared texts."""

    result: OrganisationResult
    # role id → question id → figures; only groups that reached their minimum.
    questions: Mapping[str, Mapping[str, QuestionFigures]]
    # Answers to share_text questions of reached groups, shuffled, with nothing about who wrote them.
    texts: Mapping[str, list[str]]
    closed_at: str


def close(db: Db, found: Coordination) -> OrganisationReport:
    """Close the round: score its submitted respondents, combine them and store the result once."""
    if found.round.closed:
        raise RoundClosed(found.token)
    if not profile_ready(db, found):
        raise ProfileMissing(found.token)
    # A result without any group's figures would enter peer figures and cohorts as an
    # organisation without scores. Submitted respondents only grow in number, so a group
    # counted here still counts when the round closes.
    if len(below_minimum(db, found)) == len(found.bank.roles):
        raise NoGroupReached(found.token)
    return close_round(db, found.bank, found.round)


def close_round(db: Db, bank: Questionnaire, rnd: store.Round) -> OrganisationReport:
    """Close *rnd* of *bank* as it stands (for :func:`close` and the demo data): combine, store, report."""
    response = _fresh(db, rnd.response_id)
    token = response.token
    profile = store.load_answers(db, response.id)

    def combined(respondents: list[tuple[str, dict[str, Any]]]) -> tuple[Result, str]:
        # Runs inside the store's write transaction, on the respondents submitted by then.
        per_role: dict[str, list[dict[str, Any]]] = {role.id: [] for role in bank.roles}
        for role, answers in respondents:
            if role in per_role:
                per_role[role].append(answers)
        results = {
            role: [score(bank, {**profile, **answers}, role=role) for answers in group]
            for role, group in per_role.items()
        }
        org = combine(bank, results)
        reached = {role: group for role, group in per_role.items() if org.groups[role].reached}
        stored = {
            "organisation": _result_json(org),
            "questions": {
                role: _question_figures(bank, role, group, org.groups[role].needed) for role, group in reached.items()
            },
            "texts": _shared_texts(bank, reached),
        }
        return _as_result(bank, org), json.dumps(stored)

    if not store.close_round(db, rnd, response, combined):
        raise RoundClosed(token)
    closed = store.round_by_id(db, rnd.id)
    assert closed is not None and closed.result is not None
    return report(closed)


def _as_result(bank: Questionnaire, org: OrganisationResult) -> Result:
    # The organisation's submission for the peer index, cohorts and exports: its combined scores.
    dims = {}
    for dim in bank.dimensions:
        combined = org.dimensions[dim.id]
        of = len(dim.scored_questions)
        dims[dim.id] = DimensionResult(combined.score, combined.level, of if combined.score is not None else 0, of)
    return Result(org.score, org.level, dims)


def _question_figures(bank: Questionnaire, role: str, group: list[dict[str, Any]], needed: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for question in bank.questions_for(role):
        if question.type == "text":
            continue  # texts are shared only where the bank says so, and apart from any figures
        given = [a[question.id] for a in group if a.get(question.id) is not None]
        scores = [s for v in given if (s := normalised_score(question, v)) is not None]
        counts: Counter[str] = Counter()
        if question.options or question.type == "yesno":
            for value in given:
                for one in value if isinstance(value, list) else [value]:
                    counts[value_key(one)] += 1
        else:  # a figure: its sources, "not applicable" and "no data" are counted
            counts.update(value for value in given if isinstance(value, str) and value in RESERVED_ANSWERS)
            counts.update(str(v["source"]) for v in given if isinstance(v, dict) and v.get("source") in TRUST_SOURCES)
        mean = 100 * sum(scores) / len(scores) if len(scores) >= max(needed, 1) else None
        figure = None
        if question.type == "number":
            numbers = [v for a in given if isinstance(v := (a.get("value") if isinstance(a, dict) else a), int | float)]
            figure = fmean(numbers) if len(numbers) >= max(needed, 1) else None
        out[question.id] = list(QuestionFigures(len(given), mean, dict(counts), figure).within(needed))
    return out


def _shared_texts(bank: Questionnaire, reached: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for question in bank.questions:
        if not question.share_text:
            continue
        texts = [str(a[question.id]) for group in reached.values() for a in group if a.get(question.id)]
        # Stored shuffled by the system's randomness, so their order tells nothing of who or when.
        random.SystemRandom().shuffle(texts)
        if texts:
            out[question.id] = texts
    return out


def _result_json(org: OrganisationResult) -> dict[str, Any]:
    return {
        "score": org.score,
        "level": org.level,
        "dimensions": {k: [d.score, d.level, list(d.groups)] for k, d in org.dimensions.items()},
        "groups": {
            role: [g.respondents, g.needed, {k: [d.mean, list(d.spread) if d.spread else None, d.counted]
                                             for k, d in g.dimensions.items()}]
            for role, g in org.groups.items()
        },
    }  # fmt: skip


def _result_from(data: Mapping[str, Any]) -> OrganisationResult:
    groups = {
        role: Group(role, n, needed, {k: _group_dimension(needed, m, s, c) for k, (m, s, c) in dims.items()})
        for role, (n, needed, dims) in data["groups"].items()
    }
    dimensions = {k: CombinedDimension(s, lv, tuple(g)) for k, (s, lv, g) in data["dimensions"].items()}
    return OrganisationResult(data["score"], data["level"], dimensions, groups)


def _group_dimension(needed: int, mean: float | None, spread: list[float] | None, counted: int) -> GroupDimension:
    # Rounds closed before small figures were held back stored them, with the lowest and
    # highest score in the spread: they are held back here as they are now at closing.
    if counted < needed:
        return GroupDimension(None, None, counted)
    if spread is not None and len(spread) == 5:
        spread = spread[1:4]
    shown = Spread(*spread) if spread is not None and counted >= SPREAD_FROM else None
    return GroupDimension(mean, shown, counted)


def report(rnd: store.Round) -> OrganisationReport:
    """Return the stored report of a closed round."""
    if rnd.result is None or rnd.closed_at is None:
        raise RoundClosed(str(rnd.id))  # not closed: there is no report yet
    data = json.loads(rnd.result)
    needed = {role: group[1] for role, group in data["organisation"]["groups"].items()}
    questions = {
        role: {qid: QuestionFigures(*stored).within(needed[role]) for qid, stored in figures.items()}
        for role, figures in data["questions"].items()
    }
    return OrganisationReport(_result_from(data["organisation"]), questions, data["texts"], rnd.closed_at)


def report_json(bank: Questionnaire, data: OrganisationReport) -> dict[str, Any]:
    """The organisation's result for machines: combined scores, and per group its size and, once reached, its figures.

    Groups below their minimum show how many answered and how many are needed, nothing else;
    no figure is ever one respondent's answers.
    """
    org = data.result
    groups = {}
    for role in bank.roles:
        group = org.groups[role.id]
        shown: dict[str, Any] = {"respondents": group.respondents, "needed": group.needed, "reached": group.reached}
        if group.reached:
            shown["dimensions"] = {
                dim_id: {"mean": d.mean, "spread": d.spread._asdict() if d.spread else None, "counted": d.counted}
                for dim_id, d in group.dimensions.items()
            }
            # Per statement, how many of the group answered "don't know" (only where some did).
            figures = data.questions.get(role.id, {})
            shown["dont_know"] = {qid: f.dont_know for qid, f in figures.items() if f.dont_know}
            # Per figure asked for: the group's mean figure and how many gave each source.
            shown["figures"] = {
                qid: {"mean": f.figure, "sources": f.sources}
                for qid, f in figures.items()
                if f.figure is not None or f.sources
            }
        groups[role.id] = shown
    return {
        "overall": {"score": org.score, "level": org.level},
        "dimensions": {
            d.id: {
                "score": org.dimensions[d.id].score,
                "level": org.dimensions[d.id].level,
                "groups": list(org.dimensions[d.id].groups),
            }
            for d in bank.dimensions
            if d.id in org.dimensions
        },
        "groups": groups,
    }


# Differences smaller than this between two groups' means are not named as gaps: with a few
# respondents per group they are within what one answer more or less would change.
GAP_FROM = 5.0


class Gap(NamedTuple):
    """Two groups that see a dimension differently: *lower* rates it *points* lower than *higher*."""

    dimension: str
    lower: str
    higher: str
    points: float


def gaps(bank: Questionnaire, org: OrganisationResult, limit: int = 3) -> list[Gap]:
    """The largest differences between reached groups' means in a dimension, largest first."""
    found = []
    for dim in bank.dimensions:
        means = [
            (role, g.dimensions[dim.id].mean)
            for role, g in org.groups.items()
            if g.reached and dim.id in g.dimensions and g.dimensions[dim.id].mean is not None
        ]
        for (a, ma), (b, mb) in combinations(means, 2):
            assert ma is not None and mb is not None
            lower, higher = (a, b) if ma < mb else (b, a)
            if abs(ma - mb) >= GAP_FROM:
                found.append(Gap(dim.id, lower, higher, abs(ma - mb)))
    return sorted(found, key=lambda g: -g.points)[:limit]


def history(db: Db, rnd: store.Round) -> list[tuple[str, float | None]]:
    """The organisation's earlier closed rounds of the bank: when closed and the overall score, oldest first."""
    out = []
    for earlier in store.earlier_rounds(db, rnd):
        if earlier.result is not None and earlier.closed_at is not None:
            out.append((earlier.closed_at, json.loads(earlier.result)["organisation"]["score"]))
    return out
