"""Scoring: the hook specifications, the plugin manager and the rubrics, built-in and installed.

What a rubric plugin needs is importable from here::

    from selfassess.scoring import DimensionResult, Result, Rubric, Setting, hookimpl
"""

from selfassess.scoring.hookspecs import hookimpl
from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric, RubricProblem, Setting

__all__ = ["DimensionResult", "Result", "Rubric", "RubricProblem", "Setting", "hookimpl"]
