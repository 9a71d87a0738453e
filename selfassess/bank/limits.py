"""The ranges a bank's numbers must keep, so that no sum a rubric makes of them overflows.

A weight of ``1e308`` is a valid float, but two of them add up to infinity and the weighted
mean becomes NaN. Bounding every number the loader accepts keeps the arithmetic of any bank
that passes ``selfassess check`` finite: at most 200,000 values (``MAX_VALUES``) of at most
1000 (weights) or 10^9 (scores, values) add up to far less than the largest float.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Range:
    """An inclusive range of finite numbers; ``above_low`` leaves the low end out."""

    low: float
    high: float
    above_low: bool = False

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        # Python compares ints and floats exactly: a 400-digit int is simply out of range.
        return (value > self.low if self.above_low else value >= self.low) and value <= self.high

    def __str__(self) -> str:
        if self.above_low:
            return f"a number above {plain(self.low)} and at most {plain(self.high)}"
        return f"a number from {plain(self.low)} to {plain(self.high)}"

    def schema(self) -> dict[str, Any]:
        """Return the JSON Schema of a number in this range."""
        low = "exclusiveMinimum" if self.above_low else "minimum"
        return {"type": "number", low: self.low, "maximum": self.high}


#: Question and dimension weights.
WEIGHT = Range(0, 1000, above_low=True)
#: Option scores, scale values, a number question's min, max and score.from/to, show_if min,
#: and rubric settings that declare no range of their own.
VALUE = Range(-(10**9), 10**9)
#: A role's min_respondents (a whole number).
RESPONDENTS = Range(1, 100_000)
#: A level's min, on the 0-100 score.
LEVEL_MIN = Range(0, 100)


def plain(bound: float) -> str:
    """Write a bound without a needless '.0' or exponent: 1000000000, 0.5."""
    return str(int(bound)) if float(bound).is_integer() else repr(float(bound))


def shown(value: Any) -> str:
    """Write a number the way it could appear in YAML, briefly."""
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value)
