"""Taking an assessment: start one, open it by its token, save its pages, submit it, read its result.

The rules of answering live here, for the web and the command line alike. Nothing here
knows about HTTP: the views parse the request, call these functions and render; the
language a respondent chose arrives as a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from selfassess import cohorts, store
from selfassess.bank.answers import CheckedAnswers, check_answers, is_visible
from selfassess.bank.catalog import Catalog
from selfassess.bank.loader import BankError, load_text
from selfassess.bank.model import Question, Questionnaire
from selfassess.bank.pages import Page, bank_pages, page_of
from selfassess.scoring.engine import score
from selfassess.scoring.rubrics.base import DimensionResult, Result
from selfassess.store import Db


class AssessmentError(Exception):
    """Something about an assessment that the respondent must be told."""


class UnknownToken(AssessmentError):
    """No response has this token."""


class BankUnavailable(AssessmentError):
    """The bank version the response answered can no longer be loaded."""


class Submitted(AssessmentError):
    """The response was submitted, so it can no longer change."""


class NoSuchPage(AssessmentError):
    """The bank has no page with this number."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


class ScoringFailed(AssessmentError):
    """The bank's rubric gave a score that is not a finite number (a broken plugin)."""


class Coordinating(AssessmentError):
    """A round's coordinating response is submitted by closing the round, never on its own."""


class RoundClosed(AssessmentError):
    """The round was closed: it takes no more respondents or answers."""


class UnknownLanguage(AssessmentError):
    """The bank is not available in this language."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


@dataclass(frozen=True)
class Assessment:
    """A response and the bank version it answers."""

    response: store.Response
    bank: Questionnaire

    @property
    def pages(self) -> tuple[Page, ...]:
        return bank_pages(self.bank)

    def page(self, number: int) -> Page:
        """Return page *number* (from 1), or raise :class:`NoSuchPage`."""
        if not 1 <= number <= len(self.pages):
            raise NoSuchPage(number)
        return self.pages[number - 1]

    def refuse_if_submitted(self) -> None:
        if self.response.submitted:
            raise Submitted(self.response.token)


def start(
    db: Db, bank: Questionnaire, language: str | None = None, *, cohort: cohorts.Cohort | None = None
) -> store.Response:
    """Start a draft response to *bank* in *language* (default: the bank's first)."""
    language = language or bank.languages[0]
    if language not in bank.languages:
        raise UnknownLanguage(language)
    response = store.create_response(db, bank, language)
    if cohort is not None:
        cohorts.join(db, response.id, cohort)
        found = store.get_response_by_id(db, response.id)
        assert found is not None
        response = found
    return response


def open_by_token(db: Db, catalog: Catalog, token: str) -> Assessment:
    """Return the response with *token* and the bank version it answered."""
    response = store.get_response(db, token)
    if response is None:
        raise UnknownToken(token)
    bank = bank_as_answered(db, catalog, response)
    if bank is None:
        raise BankUnavailable(response.bank_id)
    return Assessment(response, answered_view(bank, response))


def answered_view(bank: Questionnaire, response: store.Response) -> Questionnaire:
    """The part of *bank* this response answers: all of it, or its share of a round (bank with roles).

    A respondent answers their role's questions, from the first dimension they have any in
    (the profile is the coordinator's); a coordinator answers the profile while the round is
    open, and once it is closed the response holds the organisation's scores in every dimension.
    """
    if response.role is not None:
        if response.role not in {r.id for r in bank.roles}:
            raise BankUnavailable(response.bank_id)  # the bank lost the role since
        return replace(bank.for_role(response.role), profile=(), dimensions=bank.dimensions_for(response.role))
    if response.round_id is not None and not response.submitted:
        return profile_view(bank)
    return bank


def profile_view(bank: Questionnaire) -> Questionnaire:
    """The profile alone: what a round's coordinator answers for the organisation."""
    return replace(bank, dimensions=())


def open_by_id(db: Db, catalog: Catalog, response_id: int) -> Assessment:
    """Return the response with this id (for facilitators, who never see tokens) and its bank version."""
    response = store.get_response_by_id(db, response_id) if 0 < response_id < 2**63 else None
    if response is None:
        raise UnknownToken(str(response_id))
    bank = bank_as_answered(db, catalog, response)
    if bank is None:
        raise BankUnavailable(response.bank_id)
    return Assessment(response, answered_view(bank, response))


def bank_as_answered(db: Db, catalog: Catalog, response: store.Response) -> Questionnaire | None:
    """The bank version the response answered: the current file, or the snapshot stored with it.

    Reports of old responses stay as they were after the file changed or was deleted.
    """
    current = catalog.get(response.bank_id)
    if current is not None and current.content_hash == response.bank_hash:
        return current
    text = store.snapshot(db, response.bank_hash)
    if text is None:
        return current  # stored before snapshots existed: the current file is all there is
    found = _stored_version(response.bank_hash, text, f"{response.bank_id} {response.bank_version} (stored)")
    return found if found is not None else current


@lru_cache(maxsize=32)
def _stored_version(content_hash: str, text: str, source: str) -> Questionnaire | None:
    # Keyed by the hash: a stored version never changes, and parsing one costs milliseconds.
    try:
        return load_text(text, source)
    except BankError:
        return None  # e.g. a rubric plugin that is no longer installed


def answers(db: Db, response: store.Response) -> dict[str, Any]:
    """Return the response's stored answers: question id → value."""
    return store.load_answers(db, response.id)


def organisation_name(db: Db, response: store.Response) -> str | None:
    """Return the name of the response's organisation, if given."""
    return store.organisation_name(db, response.organisation_id)


def progress(bank: Questionnaire, answers: Mapping[str, Any]) -> tuple[int, int]:
    """Return (answered, asked): the visible questions and how many of them have an answer."""
    always = bank.unconditional_ids
    shown = {q.id for q in bank.conditional_questions if is_visible(bank, q, answers)}
    return sum(1 for qid in answers if qid in always or qid in shown), len(always) + len(shown)


def visible_ids(bank: Questionnaire, questions: tuple[Question, ...], answers: Mapping[str, Any]) -> set[str]:
    """Return the ids of *questions* shown with these answers."""
    return {q.id for q in questions if is_visible(bank, q, answers)}


def unanswered(bank: Questionnaire, answers: Mapping[str, Any]) -> list[tuple[Question, int]]:
    """Return the visible questions still without an answer, with their page numbers."""
    return [(q, page_of(bank, q.id)) for q in bank.questions if is_visible(bank, q, answers) and q.id not in answers]


def missing_required(bank: Questionnaire, page: Page, answers: Mapping[str, Any]) -> int:
    """How many required questions shown on *page* have no answer."""
    return sum(1 for q in page.questions if q.required and q.id not in answers and is_visible(bank, q, answers))


def complete_pages(bank: Questionnaire, answers: Mapping[str, Any]) -> set[int]:
    """The numbers of the pages with no required question left unanswered (and something answered)."""
    return {
        page.number
        for page in bank_pages(bank)
        if any(q.id in answers for q in page.questions) and not missing_required(bank, page, answers)
    }


@dataclass(frozen=True)
class PageAnswers:
    """What a respondent sent on one page: valid answers, answers cleared, and the organisation's name."""

    answers: Mapping[str, Any]
    cleared: frozenset[str] = frozenset()
    organisation: str | None = None


def save_page(
    db: Db, assessment: Assessment, number: int, sent: PageAnswers, *, language: str | None = None
) -> dict[str, Any]:
    """Store the answers of page *number*; return all answers kept afterwards.

    Answers to questions hidden by show_if are neither required nor kept. *language*
    switches the language the bank is answered in.
    """
    assessment.refuse_if_submitted()
    assessment.page(number)
    bank, response = assessment.bank, assessment.response
    if language is not None and language not in bank.languages:
        raise UnknownLanguage(language)
    stored = store.load_answers(db, response.id)
    merged = {k: v for k, v in {**stored, **sent.answers}.items() if k not in sent.cleared}
    hidden = {q.id for q in bank.questions if not is_visible(bank, q, merged)}
    keep = {k: v for k, v in sent.answers.items() if k not in hidden}
    remove = (set(sent.cleared) | hidden) & set(stored)
    if not store.save_answers(db, response, keep, remove, page=number, language=language):
        raise Submitted(response.token)  # submitted from another tab while this page was open
    if assessment.page(number).is_profile and sent.organisation:
        store.set_organisation(db, response, sent.organisation)
    return {k: v for k, v in merged.items() if k not in hidden}


@dataclass(frozen=True)
class SubmitOutcome:
    """Submitting either worked, or left problems to fix first."""

    checked: CheckedAnswers
    organisation_missing: bool

    @property
    def ok(self) -> bool:
        return not self.checked.problems and not self.organisation_missing


def submit(db: Db, assessment: Assessment) -> SubmitOutcome:
    """Check, score and submit the response, once; a second submit (another tab) changes nothing."""
    assessment.refuse_if_submitted()
    response, bank = assessment.response, assessment.bank
    if response.coordinates:
        raise Coordinating(response.token)
    while True:
        stored = store.load_answers(db, response.id)
        checked = check_answers(bank, stored)
        # A round's respondents are anonymous: the organisation is the coordinator's to name.
        named = response.role is not None or store.organisation_name(db, response.organisation_id)
        outcome = SubmitOutcome(checked, not named)
        if not outcome.ok:
            return outcome
        result = score(bank, checked.answers)
        if not finite(result):
            raise ScoringFailed(bank.rubric.plugin)
        try:
            if response.role is not None:
                # Scored again with the whole bank when the round closes; here only checked.
                store.submit_respondent(db, response, stored)
            else:
                store.submit(db, response, bank, result, scored=stored)
        except store.AnswersChanged:
            continue  # a page was saved meanwhile: check and score the answers as they are now
        except store.AlreadySubmitted:
            # Submitted a moment ago, perhaps from another tab: the same report follows. A
            # respondent's draft also stays a draft once the round was closed.
            again = store.get_response_by_id(db, response.id)
            if again is not None and not again.submitted:
                raise RoundClosed(response.token) from None
        return outcome


def finite(result: Result) -> bool:
    """Whether every score of *result* is a finite number (or none): NaN would break reports and JSON."""
    scores = [result.score, *(d.score for d in result.dimensions.values())]
    return all(s is None or math.isfinite(s) for s in scores)


def copy(db: Db, catalog: Catalog, assessment: Assessment) -> store.Response:
    """Start a new draft from a response's answers, on the bank as it is now, in the same organisation and cohort."""
    source = assessment.response
    bank = catalog.get(source.bank_id) or assessment.bank
    draft = store.create_response(db, bank, source.language, copied_from=source.id)
    store.set_response_organisation(db, draft.id, source.organisation_id)
    cohort = cohorts.by_id(db, source.cohort_id)
    if cohort is not None:  # a new draft stays in its cohort
        cohorts.join(db, draft.id, cohort)
    found = store.get_response_by_id(db, draft.id)
    assert found is not None
    checked = check_answers(bank, store.load_answers(db, source.id), partial=True)  # drop what no longer fits
    store.save_answers(db, found, checked.answers, page=1)
    return found


def stored_result(db: Db, assessment: Assessment) -> Result:
    """Rebuild the result of a submitted response from its stored scores."""
    scores = store.load_scores(db, assessment.response.id)
    overall = scores.get(store.OVERALL, {})
    dims = {}
    for d in assessment.bank.dimensions:
        row = scores.get(d.id)
        if row is None:  # the bank gained a dimension after this response was scored
            dims[d.id] = DimensionResult(None, None, 0, len(d.scored_questions))
        else:
            dims[d.id] = DimensionResult(row["score"], row["level"], row["counted"], row["of"])
    return Result(overall.get("score"), overall.get("level"), dims)


def history(db: Db, response: store.Response, *, cohort_only: bool = False) -> list[dict[str, Any]]:
    """The organisation's earlier submissions to the same bank, oldest first, with their scores.

    With *cohort_only*, only those made in the response's cohort: what its facilitators may see.
    """
    out = []
    for response_id, submitted_at in store.earlier_submissions(db, response):
        if cohort_only:
            earlier = store.get_response_by_id(db, response_id)
            if earlier is None or earlier.cohort_id is None or earlier.cohort_id != response.cohort_id:
                continue
        scores = store.load_scores(db, response_id)
        out.append({"submitted_at": submitted_at, "scores": {k: v["score"] for k, v in scores.items()}})
    return out
