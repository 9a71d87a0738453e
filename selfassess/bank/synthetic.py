"""Synthetic answer sets: for benchmarks, property tests and demo data.

An answer set is drawn around a hidden "maturity" in [0, 1] so that answers of one
respondent hang together, as real ones do. The maturity may differ per dimension, so an
organisation has its own strengths and weaknesses.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from selfassess.bank.answers import is_visible
from selfassess.bank.model import DONT_KNOW, NOT_APPLICABLE, Question, Questionnaire
from selfassess.bank.questiontypes import type_of

# A maturity for the whole answer set, or one per dimension id.
Maturity = float | Mapping[str, float] | None

# Most people leave an optional free text empty; a question asking for a year is answered more often.
TEXT_ANSWERED = 0.2
YEAR_ANSWERED = 0.6
YEARS = ("2024/25", "2024–25", "2025", "2023/24", "2024")

# Short answers to the shipped banks' free-text questions, per question id and language.
TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "str_aim": {
        "en": (
            "More learners in every trade should spend part of their training abroad.",
            "Lasting partnerships with host companies in two or three countries.",
            "Stays abroad as a normal part of our programmes, not an extra.",
        ),
        "da": (
            "Flere lærlinge på alle uddannelser skal have et oplæringsophold i udlandet.",
            "Faste partnere i to-tre lande, så opholdene ikke afhænger af enkelte lærere.",
            "Ophold i udlandet skal være en naturlig del af uddannelserne.",
        ),
        "nb": (
            "Flere lærlinger i alle fag skal ta en del av opplæringen i utlandet.",
            "Faste partnere i to–tre land, så utvekslingen ikke står og faller på enkeltlærere.",
            "Utenlandsopphold skal være en naturlig del av opplæringen, ikke et tillegg.",
        ),
    },
    "lm_learner_barrier": {
        "en": (
            "I don't know anyone who has done it.",
            "My employer would not want me away for that long.",
            "The language, and finding somewhere to live.",
            "Money: I have a part-time job I can't leave.",
            "Nothing, I would like to go.",
            "I didn't know it was possible.",
        ),
        "da": (
            "Jeg kender ikke nogen, der har prøvet det.",
            "Min læreplads vil nok ikke undvære mig så længe.",
            "Sproget, og at finde et sted at bo.",
            "Jeg har et fritidsjob, som jeg ikke kan tage fri fra.",
            "Ingenting, jeg vil gerne afsted.",
            "Jeg vidste ikke, at det kunne lade sig gøre.",
        ),
        "nb": (
            "Jeg kjenner ingen som har gjort det.",
            "Lærebedriften vil nok ikke klare seg uten meg så lenge.",
            "Språket, og å finne et sted å bo.",
            "Jeg har en deltidsjobb som jeg ikke kan ta fri fra.",
            "Ingenting, jeg vil gjerne reise.",
            "Jeg visste ikke at det gikk an.",
        ),
    },
    "emp_conditions": {
        "en": (
            "Shorter stays, outside our busiest season.",
            "Knowing that the host company trains to the same standard as we do.",
            "Help from the school with the paperwork.",
            "A host we already know.",
        ),
        "da": (
            "Kortere ophold uden for vores travleste sæson.",
            "At vi ved, at værtsvirksomheden lærer lærlingen det samme som vi.",
            "Hjælp fra skolen med papirarbejdet.",
            "En værtsvirksomhed, vi kender i forvejen.",
        ),
        "nb": (
            "Kortere opphold utenom den travleste sesongen.",
            "At vi vet at vertsbedriften følger den samme læreplanen som oss.",
            "Hjelp fra skolen med papirarbeidet.",
            "En vertsbedrift vi kjenner fra før.",
        ),
    },
    "inc_definition": {
        "en": (
            "Learners with no qualification beyond lower secondary school.",
            "Long-term jobseekers and learners with a disability.",
            "Young people not in education, employment or training.",
        ),
        "fr": (
            "Les personnes sans diplôme au-delà du brevet.",
            "Les demandeurs d'emploi de longue durée et les personnes en situation de handicap.",
            "Les jeunes sans emploi ni formation (NEET).",
        ),
        "da": (
            "Kursister uden uddannelse ud over grundskolen.",
            "Langtidsledige og kursister med et handicap.",
            "Unge, der hverken er i uddannelse eller job.",
        ),
    },
}

# Any other free-text question: rarely answered, and then briefly.
GENERIC_TEXTS: dict[str, tuple[str, ...]] = {
    "en": ("Not discussed yet.", "We will come back to this at our next staff meeting."),
    "da": ("Ikke drøftet endnu.", "Det tager vi op på næste personalemøde."),
    "nb": ("Ikke diskutert ennå.", "Det tar vi opp på neste personalmøte."),
    "fr": ("Pas encore abordé.", "Nous en reparlerons à la prochaine réunion d'équipe."),
}


def level_of(question: Question, maturity: Maturity) -> float | None:
    """The maturity that drives *question*: its dimension's, or the mean of all for a profile question."""
    if maturity is None or isinstance(maturity, (int, float)):
        return maturity
    if question.dimension is not None and question.dimension in maturity:
        return maturity[question.dimension]
    return sum(maturity.values()) / len(maturity) if maturity else None


def random_answer(question: Question, rng: random.Random, maturity: float | None = None) -> Any:
    """Draw one plausible answer to *question*; *maturity* in [0, 1] biases it upwards."""
    level = rng.random() if maturity is None else min(1.0, max(0.0, rng.gauss(maturity, 0.2)))
    if question.allow_na and rng.random() < 0.05:
        return NOT_APPLICABLE
    # Respondents who do not know are rarer than one in ten, more so in mature organisations.
    if question.allow_dont_know and rng.random() < 0.08 * (1.0 - level):
        return DONT_KNOW
    answer = type_of(question).random_answer(question, rng, level)
    return whole_figure(answer) if question.type == "number" else answer


def whole_figure(answer: Any) -> Any:
    """Round a drawn figure to a whole number: days, people and shares are given so, not as 51.3."""
    if isinstance(answer, dict) and isinstance(answer.get("value"), float):
        return {**answer, "value": round(answer["value"])}
    return round(answer) if isinstance(answer, float) else answer


def asks_for_year(question: Question) -> bool:
    """Whether a free-text question asks which year (its id or its English text says so)."""
    text = question.text.translations.get("en", "")
    return "year" in question.id.split("_") or re.match(r"(which|what)\b.*\byear\b", text, re.I) is not None


def free_text(question: Question, rng: random.Random, language: str, always: bool = False) -> str:
    """A short free-text answer in *language*, or ``""`` (left empty, as most people leave optional ones).

    *always* answers it (a required question is always answered, whatever *always* says).
    """
    always = always or question.required
    if asks_for_year(question):
        return rng.choice(YEARS) if always or rng.random() < YEAR_ANSWERED else ""
    if not always and rng.random() >= TEXT_ANSWERED:
        return ""
    own = TEXTS.get(question.id, {}).get(language)
    if own:
        return rng.choice(own)
    # Unknown questions get a generic line half as often: a stock phrase in every report reads as fake.
    generic = GENERIC_TEXTS.get(language) or GENERIC_TEXTS["en"]
    return rng.choice(generic) if always or rng.random() < 0.5 else ""


def random_answers(
    bank: Questionnaire,
    rng: random.Random,
    maturity: Maturity = None,
    language: str | None = None,
    *,
    sparse_texts: bool = False,
) -> dict[str, Any]:
    """Draw a complete, valid answer set for *bank* in *language* (hidden questions left out).

    Every shown free-text question is answered, unless *sparse_texts* leaves optional ones
    mostly empty, as real respondents do (the demo data).
    """
    language = language or bank.languages[0]
    answers: dict[str, Any] = {}
    for question in bank.questions:
        if not is_visible(bank, question, answers):
            continue
        if question.type == "text":
            answer: Any = free_text(question, rng, language, always=not sparse_texts)
        elif not question.required and rng.random() < 0.3:
            continue
        else:
            answer = random_answer(question, rng, level_of(question, maturity))
        if answer == "":  # a type's way of leaving a question unanswered
            continue
        answers[question.id] = answer
    return answers
