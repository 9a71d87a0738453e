"""The benchmarking report of a submitted response: its result, its peers' figures, its history.

No HTTP here: the views choose the peer group from the request and render what this returns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from selfassess import assessments, peers, store
from selfassess.assessments import Assessment
from selfassess.bank.answers import dont_know
from selfassess.bank.model import Questionnaire, figure, figure_source
from selfassess.peers import ALL, Figures, PeerReport, Policy, peer_report
from selfassess.scoring.engine import result_json
from selfassess.scoring.rubrics.normalise import LEVEL_TOLERANCE
from selfassess.store import Db


class NotSubmitted(Exception):
    """A draft has no report yet."""


class UnknownPeerGroup(Exception):
    """The peer group asked for is not one this response can use."""

    def __init__(self, group: str, allowed: list[str]) -> None:
        super().__init__(group)
        self.group = group
        self.allowed = allowed


@dataclass(frozen=True)
class ReportData:
    """What a report shows: the stored result (as JSON), the peer figures, the earlier submissions."""

    result: dict[str, Any]
    peers: PeerReport
    history: list[dict[str, Any]]
    # Per dimension id, the ids of the questions answered "don't know": what to find out.
    gaps: dict[str, list[str]] = field(default_factory=dict)
    # Per question id, each figure given with its source: {"value": 42, "source": "estimate"}.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


def peer_groups(db: Db, assessment: Assessment) -> list[str]:
    """The peer groups this response may compare with: everyone, each profile answer it gave, its cohort."""
    return peers.peer_groups(db, assessment.bank, assessment.response)


def report_data(db: Db, assessment: Assessment, group: str = ALL, policy: Policy | None = None) -> ReportData:
    """Return the report of a submitted response, with the released figures of peer *group*."""
    if not assessment.response.submitted:
        raise NotSubmitted(assessment.response.token)
    allowed = peer_groups(db, assessment)
    if group not in allowed:
        raise UnknownPeerGroup(group, sorted(allowed))
    result = result_json(assessment.bank, assessments.stored_result(db, assessment), digits=None)
    peers = peer_report(db, assessment.bank, assessment.response, group, policy)
    answers = assessments.answers(db, assessment.response)
    return ReportData(
        result,
        peers,
        assessments.history(db, assessment.response),
        knowledge_gaps(assessment.bank, answers),
        figure_sources(answers),
    )


def knowledge_gaps(bank: Questionnaire, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per dimension id, the ids of the shown questions answered "don't know" (a dimension without any: [])."""
    return {dim_id: [q.id for q in questions] for dim_id, questions in dont_know(bank, answers).items()}


def figure_sources(answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per question id, the figures given with the source the respondent named."""
    return {
        qid: {"value": figure(value), "source": figure_source(value)}
        for qid, value in answers.items()
        if figure_source(value) is not None
    }


def next_step_resources(
    bank: Questionnaire, levels: Mapping[str, str | None], lang: str
) -> dict[str, list[dict[str, str]]]:
    """Per dimension id, the resources its next steps show at the level reached (*levels*), in *lang*.

    A dimension without a level (nothing counted) shows the resources meant for every level.
    """
    return {
        d.id: [{"title": r.title.get(lang), "url": r.url_for(lang)} for r in d.resources_for(levels.get(d.id))]
        for d in bank.dimensions
    }


def other_version_peers(db: Db, assessment: Assessment) -> bool:
    """Whether peers answered another version of the bank (the report says so, without a count)."""
    return store.other_version_peers(db, assessment.bank.id, assessment.response.bank_hash) > 0


def band_text(band: tuple[int, int | None] | None) -> str | None:
    """A size band as text: "100–199", or "10000+" for the last."""
    if band is None:
        return None
    low, high = band
    return f"{low}+" if high is None else f"{low}–{high}"


def figures_json(figures: Figures | None) -> dict[str, Any] | None:
    return None if figures is None else asdict(figures)


def peers_json(peers: PeerReport) -> dict[str, Any]:
    """The peer figures as ``report.json`` gives them: released figures, never an exact count."""
    out: dict[str, Any] = {"group": peers.group, "figures": peers.kind, "released_at": peers.released_at}
    if peers.overall is None or peers.dimensions is None:
        out.update(peers=None, overall=None, dimensions=None, reason=peers.reason)
        return out
    out["peers"] = band_text(peers.band)
    out["overall"] = figures_json(peers.overall)
    out["dimensions"] = {dim: figures_json(f) for dim, f in peers.dimensions.items()}
    return out


def shown_score(score: float | None, bounds: Sequence[float] = ()) -> int | None:
    """A 0-100 score as every page and table shows it: whole points, never across a level's bound.

    Whole points round to the nearest (a half to the even, as '%.0f' does). Where that would
    cross one of the level *bounds*, the bound governs: 64.9 under a bound of 65 shows as 64,
    beside its level "Developing", never as a 65 that is not "Established". Changes between
    two scores are worked out from these shown values, so that 29 → 64 reads as +35.
    """
    if score is None:
        return None
    shown = round(score)
    for bound in bounds:
        if score + LEVEL_TOLERANCE < bound <= shown:
            shown = math.floor(score)
        elif shown < bound <= score + LEVEL_TOLERANCE:
            shown = math.ceil(score - LEVEL_TOLERANCE)
    return shown


def score_display(bank: Questionnaire) -> Callable[[float | None], int | None]:
    """:func:`shown_score` with *bank*'s level bounds: how every page of the bank shows a score."""
    return functools.partial(shown_score, bounds=level_bounds(bank))


def level_bounds(bank: Questionnaire) -> list[float]:
    """The scores at which the bank's levels start (for :func:`shown_score`)."""
    return [level.min for level in bank.rubric.levels]


def report_document(assessment: Assessment, data: ReportData, lang: str) -> dict[str, Any]:
    """A report for machines (``report.json``): the result, the peers' figures, history, gaps, sources, resources."""
    response = assessment.response
    levels = {dim_id: shown["level"] for dim_id, shown in data.result["dimensions"].items()}
    return {
        "questionnaire": assessment.bank.id,
        "version": response.bank_version,
        "status": response.status,
        "submitted_at": response.submitted_at,
        "result": {"overall": data.result["overall"], "dimensions": data.result["dimensions"]},
        "peers": peers_json(data.peers),
        "history": data.history,
        "knowledge_gaps": data.gaps,
        "sources": data.sources,
        "resources": next_step_resources(assessment.bank, levels, lang),
    }
