"""Demo data: synthetic organisations with plausible, submitted and scored answers.

Every demo organisation is marked ``demo = 1`` and named "Demo provider NNN", so
demo data is never mistaken for real providers. Each has its own strengths and weaknesses
(a maturity per dimension), a profile drawn as providers are spread (mostly from the
countries whose language the bank speaks), and answers in its country's language where the
bank has it. A bank with roles is answered as an organisation would: a closed round with
several respondents per role, each group seeing the organisation a little differently, some
groups below their minimum. The first few dozen organisations form one demo cohort per bank,
so facilitators have a dashboard to look at.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from selfassess import accounts, assessments, cohorts, rounds, store
from selfassess.bank.answers import canonical_answer, check_answers
from selfassess.bank.model import Question, Questionnaire
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

# How common each profile answer is among providers (options not listed weigh 1, "other" 0.5).
PROFILE_WEIGHTS: dict[str, dict[str, float]] = {
    "provider_type": {
        "vet_school": 10, "health_school": 3, "agricultural": 2, "training_office": 3, "adult_training": 5,
        "mixed": 3, "second_chance": 2, "tertiary": 0.7, "company": 1,
    },
    "size": {"under_250": 3, "250_999": 5, "1000_4999": 4, "5000_plus": 1.5},
    "people_trained": {"under_250": 3, "250_999": 5, "1000_4999": 4, "5000_plus": 1.5},
    "accreditation": {"accredited": 4, "consortium_member": 3, "short_term": 2, "none": 2},
    "jobseeker_share": {"under_10": 2, "10_49": 4, "50_89": 3, "90_plus": 1},
    "scope": {"whole": 4, "branch": 1},
}  # fmt: skip

# The language a provider in each country answers in, where the bank has it (else English).
COUNTRY_LANGUAGE = {
    "DK": "da", "NO": "nb", "SE": "sv", "FI": "fi", "IS": "is", "DE": "de", "NL": "nl", "BE": "nl",
    "FR": "fr", "IT": "it", "ES": "es",
}  # fmt: skip
# Per bank, a country whose language the bank speaks weighs this much, another country 1/2 and
# "other" 1/4. Summed over the banks: one organisation answers every bank from one country.
HOME_COUNTRY = 20.0

# How much larger respondent groups get with the provider's size (its profile answer).
SIZE_SCALE = {"under_250": 1.0, "250_999": 1.5, "1000_4999": 2.2, "5000_plus": 3.0}

# How each role tends to see the organisation: leaders a little rosier, learners a little less.
ROLE_BIAS = {"leaders": 0.06, "staff": 0.0, "company": -0.03, "learners": -0.05}

# Organisations numbered up to this many join their bank's demo cohort.
COHORT_SIZE = 36


def create_demo_data(
    database: str | Path,
    banks: Sequence[Questionnaire],
    count: int,
    seed: int = 2026,
    progress: Callable[[int], object] | None = None,
) -> list[str]:
    """Make sure *count* demo organisations answer each bank; return the tokens of the new responses.

    Running it again tops up to *count* instead of adding as many again, and shares the demo
    cohorts with every facilitator account made since.
    """
    rng = random.Random(seed)
    db = store.connect(database)
    tokens: list[str] = []
    for bank in banks:
        store.register_profile(db, bank)
    try:
        demo_cohorts = {bank.id: demo_cohort(db, bank, seed) for bank in banks}
        for n in range(store.demo_organisations(db) + 1, count + 1):
            org_id = store.add_organisation(db, f"Demo provider {n:03d}", demo=True)
            profile = draw_profile(banks, rng)
            base = rng.betavariate(2.2, 2.2)
            for bank in banks:
                own = {q.id: profile[q.id] for q in bank.profile if q.id in profile}
                for question in bank.profile:
                    if question.type != "text" and canonical_answer(question, own.get(question.id))[1] is not None:
                        own[question.id] = weighted_answer(question, rng)
                maturity = base + sum(EXPERIENCE.get(str(v), 0.0) for v in own.values() if isinstance(v, str))
                levels = dimension_levels(bank, maturity, rng)
                language = language_of(bank, own.get("country"))
                cohort = demo_cohorts[bank.id] if n <= COHORT_SIZE else None
                if bank.roles:
                    tokens.append(demo_round(db, bank, org_id, own, levels, language, cohort, rng))
                else:
                    tokens.append(demo_response(db, bank, org_id, own, levels, language, cohort, rng))
                if progress:
                    progress(1)
        for cohort in demo_cohorts.values():
            for facilitator, _ in accounts.all_facilitators(db):
                cohorts.add_facilitator(db, cohort, facilitator.id)
    finally:
        db.conn.close()
    return tokens


# -- profiles ------------------------------------------------------------------------------------


def draw_profile(banks: Sequence[Questionnaire], rng: random.Random) -> dict[str, Any]:
    """One organisation's profile answers, shared by the banks that ask the same question."""
    profile: dict[str, Any] = {}
    for bank in banks:
        for question in bank.profile:
            if question.type == "text" or question.id in profile:
                continue
            if question.id == "country":
                profile[question.id] = country(question, banks, rng)
            else:
                profile[question.id] = weighted_answer(question, rng)
    return profile


def country(question: Question, banks: Sequence[Questionnaire], rng: random.Random) -> str:
    """A country drawn as providers spread: mostly where a bank speaks the language, a few elsewhere."""
    spoken = [set(bank.languages) - {"en"} for bank in banks]
    values = [str(o.value) for o in question.options]
    weights = [
        sum(0.25 if value == "other" else HOME_COUNTRY if COUNTRY_LANGUAGE.get(value) in s else 0.5 for s in spoken)
        for value in values
    ]
    return rng.choices(values, weights=weights)[0]


def weighted_answer(question: Question, rng: random.Random) -> Any:
    """A profile answer drawn from how common each option is (a multi: one to three options)."""
    if question.type not in ("choice", "yesno") or not question.options:
        return random_answer(question, rng)
    table = PROFILE_WEIGHTS.get(question.id, {})
    values = [o.value for o in question.options]
    weights = [table.get(str(v), 0.5 if str(v) == "other" else 1.0) for v in values]
    return rng.choices(values, weights=weights)[0]


def language_of(bank: Questionnaire, country_code: Any) -> str:
    """The language a provider in *country_code* answers *bank* in: its own where the bank has it, else English."""
    own = COUNTRY_LANGUAGE.get(str(country_code))
    if own in bank.languages:
        return str(own)
    return "en" if "en" in bank.languages else bank.languages[0]


# -- maturity ------------------------------------------------------------------------------------


def clamp(value: float) -> float:
    """*value* within [0, 1]."""
    return min(1.0, max(0.0, value))


def dimension_levels(bank: Questionnaire, maturity: float, rng: random.Random) -> dict[str, float]:
    """The organisation's maturity per dimension: its strengths and weaknesses around its overall maturity."""
    # Few providers are at rock bottom or perfect across the board: keep the centre off the ends,
    # so that the offsets, not the clamping, decide where an organisation is strong.
    centre = 0.1 + 0.8 * clamp(maturity)
    return {d.id: clamp(centre + rng.gauss(0, 0.18)) for d in bank.dimensions}


def seen_by(levels: dict[str, float], bias: float, spread: float, rng: random.Random) -> dict[str, float]:
    """*levels* as one group or person sees them: shifted by *bias*, each dimension by its own noise."""
    return {d: clamp(level + bias + rng.gauss(0, spread)) for d, level in levels.items()}


# -- responses -----------------------------------------------------------------------------------


def demo_response(
    db: store.Db,
    bank: Questionnaire,
    org_id: int,
    profile: dict[str, Any],
    levels: dict[str, float],
    language: str,
    cohort: cohorts.Cohort | None,
    rng: random.Random,
) -> str:
    """A submitted response of a bank without roles for a demo organisation; return its token."""
    answers = random_answers(bank, rng, levels, language, sparse_texts=True)
    answers.update(profile)
    checked = check_answers(bank, answers)
    if checked.problems:  # pragma: no cover - the generator makes valid answers
        raise ValueError(f"demo answers for {bank.id} are invalid: {checked.problems[:3]}")
    found = _organisation_draft(db, bank, org_id, language, cohort)
    store.save_answers(db, found, checked.answers, page=len(bank.dimensions) + 1)
    store.submit(db, found, bank, score(bank, checked.answers))
    return found.token


def _organisation_draft(
    db: store.Db, bank: Questionnaire, org_id: int, language: str, cohort: cohorts.Cohort | None
) -> store.Response:
    """A draft of *bank* started for the demo organisation *org_id* (a provider's, or a round's coordinator's)."""
    response = assessments.start(db, bank, language, cohort=cohort)
    store.set_response_organisation(db, response.id, org_id)
    found = store.get_response_by_id(db, response.id)
    assert found is not None
    return found


def group_size(minimum: int, scale: float, rng: random.Random) -> int:
    """How many of a role group answer: mostly enough, more in large providers; one group in five falls short."""
    if minimum > 1 and rng.random() < 0.2:
        return rng.randrange(minimum)
    return minimum + rng.randrange(0, max(2, round(minimum * scale)))


def respondent_language(bank: Questionnaire, language: str, rng: random.Random) -> str:
    """Most respondents answer in the round's language; a few switch to English."""
    if language != "en" and "en" in bank.languages and rng.random() < 0.1:
        return "en"
    return language


def demo_round(
    db: store.Db,
    bank: Questionnaire,
    org_id: int,
    profile: dict[str, Any],
    levels: dict[str, float],
    language: str,
    cohort: cohorts.Cohort | None,
    rng: random.Random,
) -> str:
    """A closed round of *bank* for a demo organisation; return the coordinator's token."""
    found = _organisation_draft(db, bank, org_id, language, cohort)
    store.save_answers(db, found, check_answers(bank, profile, partial=True).answers, page=1)
    rnd = store.create_round(db, found, tuple(role.id for role in bank.roles))
    profile_ids = {q.id for q in bank.profile}
    texts = {q.id for q in bank.questions if q.type == "text"}
    said: set[tuple[str, Any]] = set()  # two people of one organisation seldom write the very same sentence
    scale = SIZE_SCALE.get(str(profile.get("size")), 1.0)
    for role in bank.roles:
        view = bank.for_role(role.id)
        # Each group sees the organisation a little differently, and each person in it more so.
        group = seen_by(levels, ROLE_BIAS.get(role.id, 0.0) + rng.gauss(0, 0.05), 0.1, rng)
        for _ in range(group_size(role.min_respondents, scale, rng)):
            own_view = seen_by(group, rng.gauss(0, 0.05), 0.06, rng)
            speaks = respondent_language(bank, language, rng)
            drawn = {
                k: v
                for k, v in random_answers(view, rng, own_view, speaks, sparse_texts=True).items()
                if k not in profile_ids
            }
            drawn = {k: v for k, v in drawn.items() if k not in texts or (k, v) not in said}
            said.update((k, v) for k, v in drawn.items() if k in texts)
            answers = check_answers(view, {**profile, **drawn}).answers
            own = {k: v for k, v in answers.items() if k not in profile_ids}
            draft = store.create_response(db, bank, speaks)
            store.join_round(db, draft, rnd.id, role.id)
            joined = store.get_response_by_id(db, draft.id)
            assert joined is not None
            store.save_answers(db, joined, own, page=len(bank.dimensions) + 1)
            store.submit_respondent(db, joined, store.load_answers(db, joined.id))
    rounds.close_round(db, bank, rnd)
    return found.token


# -- cohorts -------------------------------------------------------------------------------------


def cohort_code(bank: Questionnaire, seed: int) -> str:
    """The demo cohort's code: the same for a bank and seed, so a second run finds the cohort again."""
    return "demo-" + hashlib.sha256(f"{seed}/{bank.id}".encode()).hexdigest()[:10]


def demo_cohort(db: store.Db, bank: Questionnaire, seed: int) -> cohorts.Cohort:
    """The bank's demo cohort, made on first use: owned by no facilitator, and closed to new members.

    Its code can be worked out from the seed, so it admits nobody: a closed cohort's join page refuses.
    """
    code = cohort_code(bank, seed)
    found = cohorts.by_code(db, code)
    if found is not None:
        return found
    made = cohorts.create(
        db, None, bank.id, f"Demo cohort: {bank.title.get('en')}", "Synthetic providers made by selfassess demo.", code
    )
    cohorts.set_open(db, made, False)
    return made


def summary(
    database: str | Path, banks: Sequence[Questionnaire], tokens: Sequence[str], count: int, seed: int = 2026
) -> list[str]:
    """The lines the demo command ends with: an example report per bank, the demo cohorts, how to see them."""
    lines = []
    db = store.connect(database)
    try:
        if tokens:
            lines.append(f"{len(tokens)} new demo responses in {database}.")
        else:
            lines.append(f"{database} already holds {count} demo organisations; nothing to add.")
        first: dict[str, str] = {}  # the first new response's token per bank
        for token in tokens:
            response = store.get_response(db, token)
            if response is not None:
                first.setdefault(response.bank_id, token)
        by_id = {bank.id: bank for bank in banks}
        for bank_id, token in first.items():
            kind = ("organisation report", "c") if by_id[bank_id].roles else ("report", "r")
            lines.append(f"An example {kind[0]} of {bank_id}: /{kind[1]}/{token}/report")
        for bank in banks:
            cohort = cohorts.by_code(db, cohort_code(bank, seed))
            if cohort is not None:
                lines.append(
                    f"Demo cohort of {bank.id}: code {cohort.code}, dashboard /facilitator/cohorts/{cohort.code}"
                )
        lines.append(
            "The demo cohorts belong to no facilitator; each run of selfassess demo shares them with every"
            " facilitator account. To see them: selfassess facilitator add you@example.org"
            f" --db {database}, run this command again, then log in at /facilitator/login."
        )
    finally:
        db.conn.close()
    return lines
