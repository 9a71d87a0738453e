"""Rendering question pages fast.

A question page changes with the respondent's answers only in a few places: which
options are checked, the values typed, which questions are hidden, the progress, the
token and the CSRF token. The page template asks a *slots* object for exactly those.
:class:`LiveSlots` answers with real values (used for pages with errors or notices);
:class:`MarkerSlots` answers with markers, so that a page rendered once per bank
version, page and language can be cut at the markers into a :class:`CompiledPage`.
Filling a compiled page is string joining: about twenty times faster than Jinja.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from selfassess.bank.model import value_key

TOKEN_MARKER = "zzTOKENzz"  # URL-safe, so it survives url_for
ANSWERED_MARKER, ASKED_MARKER = 987654321, 987654323  # numbers: they pass through %d formatting
SLOT = re.compile(r"\x00(\w+)\x01([^\x00\x01]*)\x00|zzTOKENzz|987654321|987654323")


class LiveSlots:
    """The dynamic parts of one page, with this request's values."""

    def __init__(
        self,
        token: str,
        csrf: str,
        values: Mapping[str, Any],
        visible: set[str],
        answered: int,
        asked: int,
    ) -> None:
        self.token = token
        self.answered = answered
        self.asked = asked
        self._csrf = csrf
        self.values = values
        self.visible = visible
        self.selected: dict[str, set[str]] = {}
        for qid, value in values.items():
            if value not in (None, ""):
                self.selected[qid] = {value_key(v) for v in (value if isinstance(value, list) else [value])}

    def csrf(self) -> str:
        return self._csrf

    def checked(self, qid: str, key: str) -> Markup:
        return Markup(" checked") if key in self.selected.get(qid, ()) else Markup("")

    def hidden(self, qid: str) -> Markup:
        return Markup("") if qid in self.visible else Markup(" hidden")

    def value(self, qid: str) -> str:
        value = self.values.get(qid)
        return "" if value is None or value == "na" else str(value)

    def shown(self) -> Markup:
        # Question ids are checked by the loader: letters, digits, '_' and '-', nothing to escape.
        return Markup("".join(f'<input type="hidden" name="_shown" value="{q}">' for q in sorted(self.visible)))


class MarkerSlots:
    """Markers in place of values, for :func:`compile_page`."""

    token = TOKEN_MARKER
    answered = ANSWERED_MARKER
    asked = ASKED_MARKER

    def csrf(self) -> Markup:
        return Markup("\x00csrf\x01\x00")

    def checked(self, qid: str, key: str) -> Markup:
        return Markup(f"\x00checked\x01{qid}\x03{key}\x00")

    def hidden(self, qid: str) -> Markup:
        return Markup(f"\x00hidden\x01{qid}\x00")

    def value(self, qid: str) -> Markup:
        return Markup(f"\x00value\x01{qid}\x00")

    def shown(self) -> Markup:
        return Markup("\x00shown\x01\x00")


Part = str | tuple[str, str, str]


@dataclass(frozen=True)
class QuestionGroup:
    """A question's markup from its ``hidden`` slot to its last ``checked`` slot, pre-rendered.

    ``variants`` maps (shown, the one checked key or None) to finished HTML, so a
    question with one answer costs a dictionary lookup; ``parts`` serves the rest
    (several boxes ticked).
    """

    qid: str
    parts: tuple[Part, ...]
    variants: Mapping[tuple[bool, str | None], str]


@dataclass(frozen=True)
class CompiledPage:
    """A rendered page cut into static text, slots to fill, and pre-rendered questions."""

    parts: tuple[Part | QuestionGroup, ...]

    def render(self, slots: LiveSlots) -> str:
        selected, visible = slots.selected, slots.visible
        out: list[str] = []
        append = out.append
        for part in self.parts:
            if part.__class__ is str:
                append(part)
            elif part.__class__ is QuestionGroup:
                group: QuestionGroup = part
                chosen = selected.get(group.qid)
                one = next(iter(chosen)) if chosen and len(chosen) == 1 else None
                html = group.variants.get((group.qid in visible, one)) if not chosen or one is not None else None
                if html is not None:
                    append(html)
                    continue
                shown = group.qid in visible
                for item in group.parts:  # several boxes ticked: fill the slots one by one
                    if item.__class__ is str:
                        append(item)
                    elif item[0] == "checked":
                        if item[2] in chosen:  # type: ignore[operator]
                            append(" checked")
                    elif not shown:
                        append(" hidden")
            else:
                append(_fill(part, slots))  # type: ignore[arg-type]
        return "".join(out)


def _fill(part: Part, slots: LiveSlots) -> str:
    if isinstance(part, str):
        return part
    kind, qid, key = part
    if kind == "checked":
        return " checked" if key in slots.selected.get(qid, ()) else ""
    if kind == "hidden":
        return "" if qid in slots.visible else " hidden"
    if kind == "value":
        return str(escape(slots.value(qid)))
    if kind == "token":
        return slots.token
    if kind == "csrf":
        return slots.csrf()
    if kind == "shown":
        return slots.shown()
    if kind == "answered":
        return str(slots.answered)
    return str(slots.asked)


def _group(parts: list[Part]) -> list[Part | QuestionGroup]:
    """Fold each question's hidden and checked slots into a :class:`QuestionGroup`."""
    out: list[Part | QuestionGroup] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, str) or part[0] != "hidden":
            out.append(part)
            i += 1
            continue
        qid = part[1]
        end = i  # index of the last slot that belongs to this question
        j = i + 1
        while j < len(parts) and (isinstance(parts[j], str) or (parts[j][0] == "checked" and parts[j][1] == qid)):
            if not isinstance(parts[j], str):
                end = j
            j += 1
        members = tuple(parts[i : end + 1])
        keys = [p[2] for p in members if not isinstance(p, str) and p[0] == "checked"]
        variants = {}
        for shown in (True, False):
            for key in [None, *keys]:
                html = []
                for p in members:
                    if isinstance(p, str):
                        html.append(p)
                    elif p[0] == "hidden":
                        html.append("" if shown else " hidden")
                    else:
                        html.append(" checked" if p[2] == key else "")
                variants[(shown, key)] = "".join(html)
        out.append(QuestionGroup(qid, members, variants))
        i = end + 1
    return out


def compile_page(html: str) -> CompiledPage:
    """Cut *html*, rendered with :class:`MarkerSlots`, at its markers."""
    parts: list[Part] = []
    position = 0
    for match in SLOT.finditer(html):
        parts.append(html[position : match.start()])
        text = match.group(0)
        if text == TOKEN_MARKER:
            parts.append(("token", "", ""))
        elif text == str(ANSWERED_MARKER):
            parts.append(("answered", "", ""))
        elif text == str(ASKED_MARKER):
            parts.append(("asked", "", ""))
        else:
            qid, _, key = match.group(2).partition("\x03")
            parts.append((match.group(1), qid, key))
        position = match.end()
    parts.append(html[position:])
    return CompiledPage(tuple(_group([p for p in parts if p != ""])))
