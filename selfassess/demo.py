"""Demo data: synthetic organisations with plausible, submitted and scored answers.

Every demo organisation is marked ``demo = 1`` and named "Demo provider NNN", so
demo data is never mistaken for real providers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from selfassess import store
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
