"""Rubrics turn answers into scores and levels; see :mod:`selfassess.rubrics.base`."""

from selfassess.rubrics.base import DimensionResult, Result, Rubric, Setting

__all__ = ["DimensionResult", "Result", "Rubric", "Setting"]
