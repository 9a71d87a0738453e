"""Demo data: synthetic organisations with plausible, submitted and scored answers.

Every demo organisation is marked ``demo = 1`` and named "Demo provider NNN", so
demo data is never mistaken for real providers. A bank with roles is answered as an
organisation would: a closed round with several respondents per role, some groups below
their minimum.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from selfassess import rounds, store
from selfassess.bank.answers import canonical_answer, check_answers
from selfassess.bank.model import Questionnaire
from selfassess.bank.synthetic import random_answer, random_answers
from selfassess.scoring.engine import score

# Profile answers that make a provider more experienced, on average, in the demo data.
EXPERIENCE = {
    "accredited": 0.2,
    "consortium_member": 0.1,
    "short_term": 0.0,
    "none": -0.2,
    "5000_plus": 0.1,
    "under_250": -0.1,
}


def create_demo_data(
    database: str | Path,
    banks: Sequence[Questionnaire],
    count: int,
    seed: int = 2026,
    progress: Callable[[int], object] | None = None,
) -> list[str]:
    """Make sure *count* demo organisations answer each bank; return the tokens of the new responses.

    Running it again tops up to *count* instead of adding as many again.
    """
    rng = random.Random(seed)
    db = store.connect(database)
    tokens: list[str] = []
    for bank in banks:
        store.register_profile(db, bank)
    try:
        for n in range(store.demo_organisations(db) + 1, count + 1):
            org_id = store.add_organisation(db, f"Demo provider {n:03d}", demo=True)
            profile: dict[str, object] = {}  # one organisation answers alike across banks where it can
            base = rng.betavariate(2.2, 2.2)
            for bank in banks:
                own = {}
                for question in bank.profile:
                    if question.type == "text":
                        continue
                    kept = profile.get(question.id)
                    if kept is None or canonical_answer(question, kept)[1] is not None:
                        kept = random_answer(question, rng)
                    own[question.id] = profile[question.id] = kept
                maturity = base + sum(EXPERIENCE.get(str(v), 0.0) for v in own.values() if isinstance(v, str))
                if bank.roles:
                    tokens.append(demo_round(db, bank, org_id, own, maturity, rng))
                    if progress:
                        progress(1)
                    continue
                answers = random_answers(bank, rng, min(1.0, max(0.0, maturity)))
                answers.update(own)
                checked = check_answers(bank, answers)
                if checked.problems:  # pragma: no cover - the generator makes valid answers
                    raise ValueError(f"demo answers for {bank.id} are invalid: {checked.problems[:3]}")
                response = store.create_response(db, bank, bank.languages[0])
                store.set_response_organisation(db, response.id, org_id)
                response = store.get_response(db, response.token)  # type: ignore[assignment]
                assert response is not None
                store.save_answers(db, response, checked.answers, page=len(bank.dimensions) + 1)
                store.submit(db, response, bank, score(bank, checked.answers))
                tokens.append(response.token)
                if progress:
                    progress(1)
    finally:
        db.conn.close()
    return tokens


def group_size(minimum: int, rng: random.Random) -> int:
    """How many of a role group answer: mostly enough, a little over; one group in five falls short."""
    if minimum > 1 and rng.random() < 0.2:
        return rng.randrange(minimum)
    return minimum + rng.randrange(0, max(2, minimum))


def demo_round(
    db: store.Db, bank: Questionnaire, org_id: int, profile: dict[str, object], maturity: float, rng: random.Random
) -> str:
    """A closed round of *bank* for a demo organisation; return the coordinator's token."""
    coordinating = store.create_response(db, bank, bank.languages[0])
    store.set_response_organisation(db, coordinating.id, org_id)
    coordinating = store.get_response_by_id(db, coordinating.id)  # type: ignore[assignment]
    assert coordinating is not None
    store.save_answers(db, coordinating, check_answers(bank, profile, partial=True).answers, page=1)
    rnd = store.create_round(db, coordinating, tuple(role.id for role in bank.roles))
    profile_ids = {q.id for q in bank.profile}
    for role in bank.roles:
        view = bank.for_role(role.id)
        bias = rng.gauss(0, 0.1)  # each group sees the organisation a little differently, each person more so
        for _ in range(group_size(role.min_respondents, rng)):
            seen = min(1.0, max(0.0, maturity + bias + rng.gauss(0, 0.1)))
            drawn = {k: v for k, v in random_answers(view, rng, seen).items() if k not in profile_ids}
            answers = check_answers(view, {**profile, **drawn}).answers
            own = {k: v for k, v in answers.items() if k not in profile_ids}
            draft = store.create_response(db, bank, bank.languages[0])
            store.join_round(db, draft, rnd.id, role.id)
            draft = store.get_response_by_id(db, draft.id)  # type: ignore[assignment]
            assert draft is not None
            store.save_answers(db, draft, own, page=len(bank.dimensions) + 1)
            store.submit_respondent(db, draft, store.load_answers(db, draft.id))
    rounds.close_round(db, bank, rnd)
    return coordinating.token
