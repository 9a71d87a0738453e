"""Rubrics turn answers into scores and levels; see :mod:`selfassess.scoring.rubrics.base`."""

from selfassess.scoring.rubrics.base import DimensionResult, Result, Rubric, Setting

__all__ = ["DimensionResult", "Result", "Rubric", "Setting"]
