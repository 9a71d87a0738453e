"""Peer figures for a report: the latest release of the chosen peer group, and where the provider stands in it.

Peers are the counting responses (see :mod:`selfassess.store.counting`) of the
organisations that answered the same bank: everyone, those that gave one answer to one
profile question, or the members of one cohort. Their figures are *releases*
(:mod:`selfassess.store.releases`): drawn once from the group's members, stored, and served
to every request until the next release is due (:func:`due`). Releases are differentially
private (:mod:`selfassess.privacy`), except in a vetted cohort, whose facilitators approve
every member, where they are exact figures rounded to whole points. The provider's own
organisation is one of the peers: a release is the same for everyone who sees it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from selfassess import privacy, store
from selfassess.bank.model import RESERVED_ANSWERS, Questionnaire
from selfassess.store import Db, GroupKey, Release

ALL = "all"
COHORT = "cohort"
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Policy:
    """The privacy settings: ε per release, hours between releases, ε per organisation and year; the exact-figure floor."""

    epsilon: float = 2.0
    release_hours: float = 24
    yearly_epsilon: float = 60.0
    min_peers: int = 5

    def groups_per_organisation(self, bank: Questionnaire) -> int:
        """Peer groups one organisation can be in at once for a bank: everyone, its cohort, one per profile answer.

        A question answered with several values (sectors) puts it in the group of each value
        chosen: counted here as if it chose them all, so that the yearly ε holds for everyone.
        """
        return 2 + sum(len(q.options) if q.type == "multi" else 1 for q in bank.profile if q.type in GROUPING_TYPES)

    def releases_per_year(self, bank: Questionnaire) -> int:
        """Releases each group of *bank* may have in a rolling year, so that no organisation spends more than the yearly ε."""
        return math.floor(self.yearly_epsilon / (self.epsilon * self.groups_per_organisation(bank)) + 1e-9)


@dataclass(frozen=True)
class Figures:
    """Released figures for one dimension (or overall), in whole points, and where the provider stands."""

    median: int
    p25: int | None
    p75: int | None
    plus_minus: int  # of the median; 0 for exact figures
    quartile_plus_minus: int | None
    position: str | None  # top-quarter, above, around, below, bottom-quarter; None without a score


@dataclass(frozen=True)
class PeerReport:
    """The peer figures a report shows for one group; no figures (and no size) below the threshold."""

    group: str
    kind: str | None  # "private" (differentially private), "exact" (vetted cohort), None: no figures
    band: tuple[int, int | None] | None
    released_at: str | None
    overall: Figures | None
    dimensions: dict[str, Figures | None] | None
    reason: str | None = None


def quartiles(n: int, kth: Callable[[int], float]) -> tuple[float, float, float]:
    """Return (p25, median, p75) of *n* values, given the k-th smallest (0-based) by *kth*.

    The median is ``statistics.median``, p25 and p75 are
    ``statistics.quantiles(n=4, method="inclusive")``. Needs n >= 2.
    """
    m = n - 1
    outer = []
    for i in (1, 3):
        j, delta = divmod(i * m, 4)
        low = kth(j)
        outer.append(low if delta == 0 else (low * (4 - delta) + kth(j + 1) * delta) / 4)
    middle = n // 2
    median = kth(middle) if n % 2 else (kth(middle - 1) + kth(middle)) / 2
    return outer[0], median, outer[1]


def position(mine: float | None, fig: dict[str, Any]) -> str | None:
    """Where a score stands against released figures, allowing for their uncertainty."""
    if mine is None:
        return None
    median, pm = fig["median"], fig["pm"]
    if fig.get("p75") is not None and mine > fig["p75"] + (fig.get("pm_quartile") or 0):
        return "top-quarter"
    if fig.get("p25") is not None and mine < fig["p25"] - (fig.get("pm_quartile") or 0):
        return "bottom-quarter"
    if abs(mine - median) <= max(pm, 1):
        return "around"
    return "above" if mine > median else "below"


# --- releases ------------------------------------------------------------------------------------


def _axes(bank: Questionnaire) -> list[str]:
    return [store.OVERALL, *(d.id for d in bank.dimensions)]


def group_histograms(db: Db, key: GroupKey, bank: Questionnaire) -> dict[str, privacy.Histogram]:
    """The group's scores per axis as whole-point histograms, from the bucket counts (no score is read)."""
    points = {axis: ([0] * 101, [0] * 101) for axis in _axes(bank)}
    for dimension, c, n, n_equal in store.group_histogram_rows(db, key):
        if dimension in points and 0 <= c <= 100:
            points[dimension][0][c] += n
            points[dimension][1][c] += n_equal
    return {axis: privacy.Histogram.from_points(*pair) for axis, pair in points.items()}


def period(policy: Policy, per_year: int) -> timedelta:
    """How long a release of a group of this bank stays on show: the setting, or longer where the yearly ε needs it."""
    return max(timedelta(hours=policy.release_hours), YEAR / max(per_year, 1))


def slot_start(now: datetime, length: timedelta) -> datetime:
    """The start of the release slot *now* falls in: slots are fixed stretches of time, the same for every group."""
    seconds = max(1, int(length.total_seconds()))
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)


def due(latest: Release | None, slot: datetime, per_year: int, recent: int) -> bool:
    """Whether a group gets a new release: the first time it is asked for, then once per slot, within the yearly cap.

    The decision looks at the clock and at the releases made, never at the group's data:
    a release triggered by members joining would tell, by its timing, that someone joined.
    """
    if recent >= per_year:
        return False
    return latest is None or datetime.fromisoformat(latest.created_at) < slot


def _cohort_members(db: Db, cohort_id: int) -> tuple[list[int], bool]:
    """The counting responses of a cohort's peer group, and whether it is vetted (then approved members only)."""
    counted = store.cohort_counted(db, cohort_id)
    if not store.cohort_vetted(db, cohort_id):
        return [s.response_id for s in counted], False
    approved = store.approved_members(db, cohort_id)
    return [s.response_id for s in counted if member_key(s.member) in approved], True


def member_key(member: tuple[str, int]) -> str:
    """How an approval names a member: ``o<organisation id>``, or ``r<response id>`` while it has none."""
    return ("o" if member[0] == "organisation" else "r") + str(member[1])


def _cohort_histograms(db: Db, ids: list[int], bank: Questionnaire) -> dict[str, list[float]]:
    scores = store.scores_of(db, ids)
    return {axis: scores.get(axis, []) for axis in _axes(bank)}


def exact_release(values: dict[str, list[float]], min_peers: int) -> dict[str, Any]:
    """Exact figures rounded to whole points, for a group no one can add fake members to (a vetted cohort)."""
    n = len(values.get(store.OVERALL, []))
    if n < min_peers:
        return {"kind": "exact", "tier": "none", "band": None}
    axes: dict[str, dict[str, int | None]] = {}
    for axis, scores in values.items():
        if len(scores) >= max(min_peers, 2):  # two scores' quartiles would give both back
            ordered = sorted(scores)
            p25, median, p75 = quartiles(len(ordered), ordered.__getitem__)
            axes[axis] = {"median": round(median), "p25": round(p25), "p75": round(p75), "pm": 0, "pm_quartile": 0}
    return {"kind": "exact", "tier": "quartiles", "band": list(privacy.band(n)), "axes": axes}


def current_release(db: Db, bank: Questionnaire, key: GroupKey, policy: Policy) -> Release | None:
    """The release to serve for a group: the latest, or a new one if one is due (drawn once, whoever asks)."""
    now = datetime.now(UTC).replace(microsecond=0)
    latest = store.latest_release(db, key)
    cohort_ids: list[int] = []
    vetted = False
    if key.grp == store.COHORT_GROUP:
        cohort_ids, vetted = _cohort_members(db, int(key.grp_value))
    per_year = 10**9 if vetted else policy.releases_per_year(bank)  # exact figures spend no ε
    # A release is dated by its slot's start, so neither its date nor the moment it was drawn
    # says anything about when members joined.
    slot = slot_start(now, period(policy, per_year))

    def is_due(release: Release | None) -> bool:
        recent = store.releases_since(db, key, (now - YEAR).isoformat()) if release is not None else 0
        return due(release, slot, per_year, recent)

    if not is_due(latest):
        return latest

    def draw() -> store.Draft:
        if key.grp == store.COHORT_GROUP:
            values = _cohort_histograms(db, cohort_ids, bank)
            if vetted:
                figures = exact_release(values, policy.min_peers)
            else:
                hists = {a: privacy.Histogram.from_buckets(_buckets(v)) for a, v in values.items()}
                figures = privacy.release(hists, policy.epsilon, store.OVERALL)
            return store.Draft(len(cohort_ids), 0.0 if vetted else policy.epsilon, figures, tuple(cohort_ids))
        hists = group_histograms(db, key, bank)
        figures = privacy.release(hists, policy.epsilon, store.OVERALL)
        return store.Draft(hists[store.OVERALL].total, policy.epsilon, figures)

    return store.make_release(db, key, is_due, draw, slot.isoformat())


def _buckets(values: list[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        bucket = store.bucket_of(value)
        if bucket is not None:
            counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def group_key(db: Db, bank: Questionnaire, response: store.Response, group: str) -> GroupKey | str:
    """The release key of a response's peer *group*, or why it has none (``no-answer``, ``no-cohort``)."""
    if group == ALL:
        return GroupKey(bank.id, "", "")
    if group == COHORT:
        if response.cohort_id is None:
            return "no-cohort"
        return GroupKey(bank.id, store.COHORT_GROUP, str(response.cohort_id))
    question_id, _, value_key = group.partition(VALUE_SEPARATOR)
    answer = store.stored_answer(db, response.id, question_id)
    if answer is None:
        return "no-answer"
    values = store.group_values(answer)
    if value_key:  # one value of a list answer, named by its option's key
        question = bank.question(question_id)
        option = question.option(value_key) if question is not None else None
        chosen = json.dumps(option.value, ensure_ascii=False) if option is not None else None
        return GroupKey(bank.id, question_id, chosen) if chosen in values else "no-answer"
    return GroupKey(bank.id, question_id, answer) if len(values) == 1 and values[0] == answer else "no-answer"


VALUE_SEPARATOR = ":"  # in a group id: "sectors:business", the providers who also chose business
GROUPING_TYPES = ("choice", "multi", "yesno", "scale")  # profile answers that form peer groups


def peer_groups(db: Db, bank: Questionnaire, response: store.Response) -> list[str]:
    """The peer groups a response may compare with: everyone, each profile answer it gave (each value of a list), its cohort."""
    answers = store.load_answers(db, response.id)  # one query for all the profile answers
    groups = [ALL]
    for question in bank.profile:
        if question.type not in GROUPING_TYPES or question.id not in answers:
            continue  # a text or a number is an exact match for no one
        if question.type == "multi":
            chosen = answers[question.id]
            for value in chosen if isinstance(chosen, list) else []:  # "na" forms no group
                option = question.option(value)
                if option is not None:
                    groups.append(f"{question.id}{VALUE_SEPARATOR}{option.key}")
        elif answers[question.id] not in RESERVED_ANSWERS:  # "not applicable", "don't know": no group
            groups.append(question.id)
    if response.cohort_id is not None:
        groups.append(COHORT)
    return groups


def peer_report(
    db: Db, bank: Questionnaire, response: store.Response, group: str = ALL, policy: Policy | None = None
) -> PeerReport:
    """Return the released peer figures of *group* (``all``, a profile question id or ``cohort``) for a submitted response."""
    key = group_key(db, bank, response, group)
    if isinstance(key, str):
        return PeerReport(group, None, None, None, None, None, reason=key)
    found = current_release(db, bank, key, policy or Policy())
    figures = found.figures if found else {}
    if not figures.get("axes"):
        return PeerReport(group, None, None, None, None, None, reason="too-few" if found else "no-budget")
    mine = store.response_scores(db, response.id)
    shown: dict[str, Figures | None] = {}
    for axis in _axes(bank):
        fig = figures["axes"].get(axis)
        shown[axis] = (
            None
            if fig is None
            else Figures(
                fig["median"], fig["p25"], fig["p75"], fig["pm"], fig["pm_quartile"], position(mine.get(axis), fig)
            )
        )
    overall = shown.pop(store.OVERALL)
    low, high = figures["band"]
    kind = "exact" if figures["kind"] == "exact" else "private"
    assert found is not None
    return PeerReport(group, kind, (low, high), found.created_at, overall, shown)
