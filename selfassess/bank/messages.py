"""Wording shared by the loader's messages: how a value is named, and near-miss suggestions."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` when *word* is a near miss of one of *choices*."""
    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return a "did you mean" for a near miss, else the list of *choices*."""
    choices = sorted(choices)
    hint = did_you_mean(word, choices)
    if hint or not choices:
        return hint
    return f" (expected one of: {', '.join(choices)})"


def is_number(value: Any) -> bool:
    """Return True for a finite int or float (booleans are not numbers in a bank)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # math.isfinite would overflow on an int beyond the float range; every int is finite.
    return isinstance(value, int) or math.isfinite(value)


def kind(value: Any) -> str:
    """Name *value* the way an author would recognise it in their file."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{value!r}"
