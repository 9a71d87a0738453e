"""What one respondent's copy of a question page shows: values, checked options, hidden questions, progress.

The page templates (and the preview) ask this object; the question macros in
``_macros.html`` use only its methods, so they render the same for a draft, a page
with errors, and the author's preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from selfassess.bank.model import RESERVED_ANSWERS, figure, value_key


class PageState:
    """The dynamic parts of one page, with this request's values."""

    def __init__(self, token: str, values: Mapping[str, Any], visible: set[str], answered: int, asked: int) -> None:
        self.token = token
        self.answered = answered
        self.asked = asked
        self.values = values
        self.visible = visible
        self.selected: dict[str, set[str]] = {}
        for qid, value in values.items():
            if isinstance(value, dict):  # a figure with its source, stored or as typed
                self.selected[f"{qid}.source"] = {str(value.get("source") or "")}
                value = value.get("value")
            if value not in (None, ""):
                self.selected[qid] = {value_key(v) for v in (value if isinstance(value, list) else [value])}

    def checked(self, qid: str, key: str) -> Markup:
        return Markup(" checked") if key in self.selected.get(qid, ()) else Markup("")

    def hidden(self, qid: str) -> Markup:
        return Markup("") if qid in self.visible else Markup(" hidden")

    def value(self, qid: str) -> str:
        value = figure(self.values.get(qid))
        return "" if value is None or value in RESERVED_ANSWERS else str(value)

    def shown(self) -> Markup:
        # Question ids are checked by the loader: letters, digits, '_' and '-', nothing to escape.
        return Markup("".join(f'<input type="hidden" name="_shown" value="{q}">' for q in sorted(self.visible)))
