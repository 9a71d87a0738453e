"""A semantic diff of two versions of a bank: what changed, and whether it changes scores."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from selfassess.bank.model import Dimension, Question, Questionnaire, Resource, Text


@dataclass(frozen=True)
class Change:
    """One difference; ``scoring`` is True when scores of the same answers can differ."""

    where: str
    what: str
    scoring: bool

    def __str__(self) -> str:
        return f"[{'scoring' if self.scoring else 'wording'}] {self.where}: {self.what}"


def _text_in(old: Text | None, new: Text | None, languages: Collection[str] | None = None) -> str | None:
    """Describe a change of a human text in *languages* (default: all), or None."""
    a = {k: v for k, v in (old.translations if old else {}).items() if languages is None or k in languages}
    b = {k: v for k, v in (new.translations if new else {}).items() if languages is None or k in languages}
    if a == b:
        return None
    changed = sorted(lang for lang in set(a) | set(b) if a.get(lang) != b.get(lang))
    return f"reworded ({', '.join(changed)})"


def _value(name: str, old: Any, new: Any) -> str | None:
    return None if old == new else f"{name} {old!r} → {new!r}"


def diff(old: Questionnaire, new: Questionnaire, *, languages: Collection[str] | None = None) -> list[Change]:
    """Return the changes from *old* to *new*, in bank order; texts compared in *languages* (default: all)."""
    out: list[Change] = []

    def _text(a: Text | None, b: Text | None) -> str | None:
        return _text_in(a, b, languages)

    def add(where: str, what: str | None, scoring: bool) -> None:
        if what:
            out.append(Change(where, what, scoring))

    add("bank", _value("version", old.version, new.version), False)
    add("bank", _value("id", old.id, new.id), True)
    add("bank", _text(old.title, new.title) and "title " + (_text(old.title, new.title) or ""), False)
    add("bank", _value("languages", list(old.languages), list(new.languages)), False)
    add("rubric", _value("plugin", old.rubric.plugin, new.rubric.plugin), True)
    add("rubric", _value("settings", dict(old.rubric.settings), dict(new.rubric.settings)), True)
    # Who answers: a bank gaining roles is answered by an organisation's people instead of one person.
    old_roles = {r.id: r for r in old.roles}
    new_roles = {r.id: r for r in new.roles}
    for rid in [k for k in old_roles if k not in new_roles]:
        add(f"role '{rid}'", "removed", True)
    for rid in [k for k in new_roles if k not in old_roles]:
        role = new_roles[rid]
        add(f"role '{rid}'", f"added (at least {role.min_respondents}, weight {role.weight:g})", True)
    for rid in [k for k in old_roles if k in new_roles]:
        add(
            f"role '{rid}'",
            _value("min_respondents", old_roles[rid].min_respondents, new_roles[rid].min_respondents),
            True,
        )
        add(f"role '{rid}'", _value("weight", old_roles[rid].weight, new_roles[rid].weight), True)
        add(f"role '{rid}'", _text(old_roles[rid].label, new_roles[rid].label) and "label reworded", False)
    old_levels = {lvl.id: lvl for lvl in old.rubric.levels}
    new_levels = {lvl.id: lvl for lvl in new.rubric.levels}
    for lid in [k for k in old_levels if k not in new_levels]:
        add(f"level '{lid}'", "removed", True)
    for lid in [k for k in new_levels if k not in old_levels]:
        add(f"level '{lid}'", f"added at min {new_levels[lid].min:g}", True)
    for lid in [k for k in old_levels if k in new_levels]:
        add(f"level '{lid}'", _value("min", old_levels[lid].min, new_levels[lid].min), True)
        add(f"level '{lid}'", _text(old_levels[lid].label, new_levels[lid].label) and "label reworded", False)
    old_dims = {d.id: d for d in old.dimensions}
    new_dims = {d.id: d for d in new.dimensions}
    for did in [k for k in old_dims if k not in new_dims]:
        add(f"dimension '{did}'", "removed (responses to the old version lose this axis)", True)
    for did in [k for k in new_dims if k not in old_dims]:
        add(f"dimension '{did}'", "added", True)
    for did in [k for k in old_dims if k in new_dims]:
        _dimension(old_dims[did], new_dims[did], add, languages)
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    for qid in [k for k in old_q if k not in new_q]:
        add(f"question '{qid}'", "removed", old_q[qid].scored)
    for qid in [k for k in new_q if k not in old_q]:
        add(f"question '{qid}'", "added", new_q[qid].scored)
    for qid in [q.id for q in new.questions if q.id in old_q]:
        _question(old_q[qid], new_q[qid], add, languages)
    return out


def _dimension(old: Dimension, new: Dimension, add: Any, languages: Collection[str] | None) -> None:
    where = f"dimension '{new.id}'"

    def _text(a: Text | None, b: Text | None) -> str | None:
        return _text_in(a, b, languages)

    add(where, _text(old.title, new.title) and "title " + (_text(old.title, new.title) or ""), False)
    add(where, _text(old.description, new.description) and "description reworded", False)
    add(where, _value("weight", old.weight, new.weight), True)
    if old.feedback.keys() != new.feedback.keys() or any(_text(v, new.feedback[k]) for k, v in old.feedback.items()):
        add(where, "advice changed", False)
    add(where, _value("rubric", old.rubric, new.rubric), True)
    add(where, _value("rubric settings", dict(old.rubric_settings), dict(new.rubric_settings)), True)
    add(where, _value("roles", list(old.roles), list(new.roles)), True)
    old_links = {_link(r): r for r in old.resources}
    new_links = {_link(r): r for r in new.resources}
    for key in [k for k in old_links if k not in new_links]:
        add(where, f"resource {key!r} removed", False)
    for key in [k for k in new_links if k not in old_links]:
        add(where, f"resource {key!r} added", False)
    for key in [k for k in old_links if k in new_links]:
        a, b = old_links[key], new_links[key]
        if _text(a.title, b.title) or dict(a.url) != dict(b.url) or a.levels != b.levels:
            add(where, f"resource {key!r} changed", False)


def _link(resource: Resource) -> str:
    # A resource is known by its address in the default language: titles get reworded.
    return resource.url_for()


def _question(old: Question, new: Question, add: Any, languages: Collection[str] | None) -> None:
    where = f"question '{new.id}'"

    def _text(a: Text | None, b: Text | None) -> str | None:
        return _text_in(a, b, languages)

    scored = old.scored or new.scored
    add(where, _value("dimension", old.dimension, new.dimension), scored)
    add(where, _value("type", old.type, new.type), scored)
    add(where, _text(old.text, new.text) and "text " + (_text(old.text, new.text) or ""), False)
    add(where, _text(old.help, new.help) and "help reworded", False)
    for name in (
        "weight", "required", "allow_na", "allow_dont_know", "min", "max", "score_from", "score_to", "scale",
        "trustworthiness",
    ):  # fmt: skip
        add(where, _value(name.replace("score_", "score."), getattr(old, name), getattr(new, name)), scored)
    add(where, _value("show_if", old.show_if, new.show_if), scored)
    add(where, _value("roles", list(old.roles), list(new.roles)), scored)
    add(where, _value("rubric settings", dict(old.settings), dict(new.settings)), scored)
    old_opts = {o.key: o for o in old.options}
    new_opts = {o.key: o for o in new.options}
    for key in [k for k in old_opts if k not in new_opts]:
        add(where, f"option {key!r} removed", scored)
    for key in [k for k in new_opts if k not in old_opts]:
        add(where, f"option {key!r} added", scored)
    for key in [k for k in old_opts if k in new_opts]:
        add(where, _value(f"score of option {key!r}", old_opts[key].score, new_opts[key].score), scored)
        add(where, _text(old_opts[key].label, new_opts[key].label) and f"label of option {key!r} reworded", False)


def incompatible(old: Questionnaire, new: Questionnaire) -> list[str]:
    """Dimension ids of *old* missing from *new*: responses to the two cannot be compared there."""
    new_ids = {d.id for d in new.dimensions}
    return [d.id for d in old.dimensions if d.id not in new_ids]
