"""Load a bank from YAML, checking every rule, and report each mistake with its position.

:func:`load_bank` returns a :class:`~selfassess.bank.model.Questionnaire` or raises
:class:`BankError` holding *all* problems found, each as ``file:line:col: message``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfassess.bank.limits import LEVEL_MIN, RESPONDENTS, VALUE, WEIGHT, Range, plain, shown
from selfassess.bank.messages import did_you_mean, is_number, kind, suggest
from selfassess.bank.model import (
    RESERVED_ANSWERS,
    Dimension,
    Level,
    Option,
    Question,
    Questionnaire,
    Resource,
    Role,
    RubricSpec,
    ShowIf,
    Text,
    frozen_map,
    value_key,
)
from selfassess.bank.questiontypes import KEY_OWNERS, QUESTION_TYPES, TYPES, QuestionType
from selfassess.bank.questiontypes.base import TypeFields
from selfassess.bank.questiontypes.choice import OPTION_KEYS as OPTION_KEYS
from selfassess.bank.yamlsource import Document, Path_, YamlSyntaxError, parse
from selfassess.scoring.rubrics.base import Rubric, Setting

BANK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
DEFAULT_RUBRIC = "weighted-mean"

TOP_REQUIRED = ("id", "version", "title", "languages", "rubric", "dimensions")
TOP_KEYS = {*TOP_REQUIRED, "description", "draft_languages", "scales", "profile", "roles"}
DIMENSION_KEYS = {"id", "title", "description", "weight", "questions", "feedback", "roles", "resources", "rubric"}
RESOURCE_KEYS = {"title", "url", "levels"}
URL = re.compile(r"^https?://[^\s/?#]+\S*$")
# The keys every question takes; each type adds its own (questiontypes).
COMMON_QUESTION_KEYS = {
    "id",
    "type",
    "text",
    "help",
    "weight",
    "required",
    "allow_na",
    "allow_dont_know",
    "show_if",
    "roles",
    "share_text",
}
QUESTION_KEYS = COMMON_QUESTION_KEYS | set(KEY_OWNERS)
SCALE_OPTION_KEYS = {"value", "label"}
LEVEL_KEYS = {"id", "min", "label", "description"}
ROLE_KEYS = {"id", "label", "min_respondents", "weight"}
RUBRIC_KEYS = {"plugin", "levels"}
SHOW_IF_OPERATORS = ("equals", "in", "min")


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a bank file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class BankError(Exception):
    """A bank could not be loaded; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


RubricLookup = Callable[[str], Rubric | None]


def load_bank(
    path: str | Path,
    rubrics: RubricLookup | None = None,
    *,
    display: str | None = None,
    warnings: list[Problem] | None = None,
) -> Questionnaire:
    """Load and check the bank at *path*; raise :class:`BankError` listing every problem.

    *display* is the file name used in messages (default: *path* as given). A valid bank's
    warnings (the texts a draft language still lacks) are added to *warnings* when given.
    """
    name = display or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise BankError([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BankError([Problem(name, line, 1, "the file is not UTF-8 text; save it as UTF-8")]) from None
    return load_text(text, name, rubrics, content_hash=hashlib.sha256(raw).hexdigest(), warnings=warnings)


def load_text(
    text: str,
    name: str = "<bank>",
    rubrics: RubricLookup | None = None,
    *,
    content_hash: str | None = None,
    warnings: list[Problem] | None = None,
) -> Questionnaire:
    """Load and check a bank from YAML *text*; *name* is used in messages; warnings as in :func:`load_bank`."""
    try:
        doc = parse(text)
    except YamlSyntaxError as exc:
        raise BankError([Problem(name, exc.position.line, exc.position.column, exc.message)]) from None
    if rubrics is None:
        from selfassess.scoring.plugins import get_rubric

        rubrics = get_rubric
    digest = content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest()
    builder = _Builder(doc, name, rubrics)
    bank = builder.build(digest, text)
    if builder.problems or bank is None:
        raise BankError(sorted(set(builder.problems)))
    if warnings is not None:
        warnings.extend(sorted(set(builder.warnings)))
    return bank


class _Builder:
    """Walk a parsed document, collect problems, and build the model where it can."""

    def __init__(self, doc: Document, name: str, rubrics: RubricLookup) -> None:
        self.doc = doc
        self.name = name
        self.rubrics = rubrics
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.languages: tuple[str, ...] = ("en",)
        self.drafts: tuple[str, ...] = ()
        self.level_ids: list[str] = []
        self.rubric: Rubric | None = None
        self.rubric_name = DEFAULT_RUBRIC
        self._other_rubrics: dict[tuple[str, str], dict[str, str]] = {}
        self.scales: dict[str, tuple[Option, ...]] = {}
        self.scale_paths: dict[str, Path_] = {}
        self.roles: list[Role] = []
        # Written in the file, even when too broken to build: naming one is not a second mistake.
        self.role_ids: list[str] = []

    # -- reporting -----------------------------------------------------------------

    def problem(self, path: Path_, message: str, *, at_key: bool = False) -> None:
        pos = self.doc.key_at(path) if at_key else self.doc.at(path)
        self.problems.append(Problem(self.name, pos.line, pos.column, message))

    def warn(self, path: Path_, message: str) -> None:
        pos = self.doc.at(path)
        self.warnings.append(Problem(self.name, pos.line, pos.column, f"warning: {message}"))

    def draft_hole(self, path: Path_, what: str, lang: str) -> None:
        self.warn(
            path, f"{what} has no '{lang}' translation yet ('{lang}' is a draft language, not offered to respondents)"
        )

    def mapping(self, path: Path_, value: Any, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"{what} must be a map of keys and values, not {kind(value)}")
        return None

    def sequence(self, path: Path_, value: Any, what: str) -> list[Any] | None:
        if isinstance(value, list):
            return value
        self.problem(path, f"{what} must be a list (items starting with '- '), not {kind(value)}")
        return None

    def keys(
        self,
        path: Path_,
        data: dict[str, Any],
        what: str,
        allowed: set[str],
        required: Iterable[str] = (),
        elsewhere: dict[str, str] | None = None,
        scored_by: str | None = None,
    ) -> None:
        """Report missing and unknown keys; *elsewhere* names rubrics that accept a key this one does not.

        *scored_by* says which rubric scores the place (default: "this bank's rubric is ...").
        """
        for key in required:
            if key not in data:
                self.problem(path, f"{what} has no '{key}'; add it")
        for key in data:
            if key not in allowed:
                hint = suggest(str(key), allowed)
                if elsewhere and key in elsewhere:
                    scope = scored_by or f"this bank's rubric is {self.rubric_name}"
                    hint = f" (it belongs to the {elsewhere[key]} rubric, but {scope})"
                elif " " in str(key).strip():
                    # The usual cause: a comma inside {...} cut a text in two.
                    hint += "; if this is the end of a text, put the whole text in quotes (a comma inside { } starts a new key)"
                self.problem((*path, key), f"unknown key '{key}' in {what}{hint}", at_key=True)

    def ident(self, path: Path_, value: Any, what: str, pattern: re.Pattern[str] = ITEM_ID) -> str | None:
        if isinstance(value, str) and pattern.match(value):
            return value
        rule = "lowercase letters, digits and '-'" if pattern is BANK_ID else "lowercase letters, digits, '_' and '-'"
        self.problem(path, f"{what} must be an id of {rule}, starting with a letter or digit; got {kind(value)}")
        return None

    def number(self, path: Path_, value: Any, what: str, *, within: Range = VALUE) -> float | None:
        """Read a finite number in *within*; report anything else (.inf, .nan and 1e308 included)."""
        if not isinstance(value, float) and not is_number(value):
            hint = " (write it without quotes)" if isinstance(value, str) and _looks_numeric(value) else ""
            self.problem(path, f"{what} must be a number, not {kind(value)}{hint}")
            return None
        if value not in within:
            self.problem(path, f"{what} must be {within}, not {shown(value)}")
            return None
        return float(value)

    def flag(self, path: Path_, value: Any, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        hint = (
            " (yes/no are text in banks)"
            if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off"}
            else ""
        )
        self.problem(path, f"{what} must be true or false, not {kind(value)}{hint}")
        return None

    def text(self, path: Path_, value: Any, what: str) -> Text | None:
        """Read a human text: a string (default language) or a map language → string."""
        if isinstance(value, str) or is_number(value):
            value = str(value)
            if not value.strip():
                self.problem(path, f"{what} is empty; write the text")
                return None
            for lang in self.languages[1:]:
                self.problem(
                    path,
                    f"{what} has no '{lang}' translation; write it as a map, e.g. {{{self.languages[0]}: ..., {lang}: ...}}",
                )
            for lang in self.drafts:
                self.draft_hole(path, what, lang)
            return Text(frozen_map({self.languages[0]: value}))
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a text or a map of language → text, not {kind(value)}")
            return None
        translations: dict[str, str] = {}
        for lang, item in value.items():
            if lang not in self.languages and lang not in self.drafts:
                hint = suggest(str(lang), self.languages + self.drafts)
                if LANGUAGE.match(str(lang)):
                    hint += f"; to translate it bit by bit, add it to the bank's draft_languages: [{lang}]"
                if " " in str(lang).strip():
                    hint += "; if this is the end of a text, put the whole text in quotes (a comma inside { } starts a new key)"
                self.problem(
                    (*path, lang),
                    f"{what} has a text in '{lang}', which is not in the bank's languages{hint}",
                    at_key=True,
                )
                continue
            if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
                self.problem((*path, lang), f"{what} in '{lang}' must be a non-empty text, not {kind(item)}")
                continue
            translations[lang] = str(item)
        for lang in self.languages:
            if lang not in value:
                self.problem(path, f"{what} has no '{lang}' translation; add '{lang}: ...'")
        for lang in self.drafts:
            if lang not in value:
                self.draft_hole(path, what, lang)
        # One shape inside: the default language first, drafts last.
        ordered = {lang: translations[lang] for lang in self.languages + self.drafts if lang in translations}
        return Text(frozen_map(ordered)) if ordered else None

    def optional_text(self, data: dict[str, Any], path: Path_, key: str, what: str) -> Text | None:
        if key not in data:
            return None
        return self.text((*path, key), data[key], what)

    # -- the bank ----------------------------------------------------------------

    def build(self, content_hash: str, text: str = "") -> Questionnaire | None:
        for path, _pos in self.doc.duplicate_keys:
            self.problem(path, f"the key '{path[-1]}' appears twice in the same map; keep one", at_key=True)
        data = self.mapping((), self.doc.data, "a bank file")
        if data is None:
            return None
        self.keys((), data, "the bank", TOP_KEYS, TOP_REQUIRED)
        bank_id = self.ident(("id",), data["id"], "the bank's id", BANK_ID) if "id" in data else None
        version = self.version(data)
        self.read_languages(data)
        self.read_draft_languages(data, list(self.languages))
        title = self.text(("title",), data["title"], "the bank's title") if "title" in data else None
        description = self.optional_text(data, (), "description", "the bank's description")
        self.read_scales(data)
        rubric_spec = self.read_rubric(data)
        self.read_roles(data)
        seen: dict[str, Path_] = {}
        profile = self.read_profile(data, seen)
        dimensions = self.read_dimensions(data, seen)
        questions = list(profile) + [q for d in dimensions for q in d.questions]
        self.check_show_if(questions, set(seen))
        if self.problems or None in (bank_id, version, title, rubric_spec):
            return None
        assert bank_id is not None and version is not None and title is not None and rubric_spec is not None
        bank = Questionnaire(
            id=bank_id,
            version=version,
            title=title,
            description=description,
            languages=self.languages,
            draft_languages=self.drafts,
            scales=frozen_map(self.scales),
            profile=tuple(profile),
            rubric=rubric_spec,
            dimensions=tuple(dimensions),
            source=self.name,
            content_hash=content_hash,
            text=text,
            roles=tuple(self.roles),
        )
        if self.rubric is not None:
            for found in self.rubric.check(bank.bank_rubric_view()):
                self.problem(found.where, found.message)
        for view in bank.dimension_rubric_views().values():
            own = self.rubrics(view.rubric.plugin)
            for found in own.check(view) if own else ():
                self.problem(found.where, found.message)
        return bank

    def version(self, data: dict[str, Any]) -> str | None:
        if "version" not in data:
            return None
        value = data["version"]
        if isinstance(value, str) and value.strip():
            return value
        if is_number(value):
            self.problem(("version",), f'the version {value} is read as a number; put it in quotes: version: "{value}"')
        else:
            self.problem(("version",), f'the version must be a text such as "2026.1", not {kind(value)}')
        return None

    def read_languages(self, data: dict[str, Any]) -> None:
        if "languages" not in data:
            return
        items = self.sequence(("languages",), data["languages"], "languages")
        if items is None:
            return
        if not items:
            self.problem(("languages",), "languages is empty; list at least one language code, e.g. [en]")
            return
        found: list[str] = []
        for i, lang in enumerate(items):
            if not isinstance(lang, str) or not LANGUAGE.match(lang):
                self.problem(("languages", i), f"{kind(lang)} is not a language code such as en, da or nb")
            elif lang in found:
                self.problem(("languages", i), f"the language '{lang}' is listed twice")
            else:
                found.append(lang)
        if found:
            self.languages = tuple(found)

    def read_draft_languages(self, data: dict[str, Any], complete: list[str]) -> None:
        """Read ``draft_languages``: languages being translated, checked as warnings only."""
        if "draft_languages" not in data:
            return
        items = self.sequence(("draft_languages",), data["draft_languages"], "draft_languages")
        drafts: list[str] = []
        for i, lang in enumerate(items or []):
            path: Path_ = ("draft_languages", i)
            if not isinstance(lang, str) or not LANGUAGE.match(lang):
                self.problem(path, f"{kind(lang)} is not a language code such as en, da or nb")
            elif complete and lang == complete[0]:
                self.problem(
                    path,
                    f"'{lang}' is the bank's default language (the first in languages), which cannot be a draft; "
                    "remove it from draft_languages",
                )
            elif lang in complete:
                self.problem(
                    path,
                    f"the language '{lang}' is in both languages and draft_languages; keep it in languages once it is "
                    "complete, or only in draft_languages while it is being translated",
                )
            elif lang in drafts:
                self.problem(path, f"the draft language '{lang}' is listed twice")
            else:
                drafts.append(lang)
        self.drafts = tuple(drafts)

    def read_roles(self, data: dict[str, Any]) -> None:
        """Read ``roles``: the groups of people that answer for an organisation."""
        if "roles" not in data:
            return
        items = self.sequence(("roles",), data["roles"], "roles")
        if items is not None and not items:
            self.problem(("roles",), "roles is empty; list the groups that answer, or remove 'roles:'")
        for i, item in enumerate(items or []):
            path: Path_ = ("roles", i)
            block = self.mapping(path, item, f"role {i + 1}")
            if block is None:
                continue
            role_id = self.ident((*path, "id"), block["id"], f"the id of role {i + 1}") if "id" in block else None
            what = f"role '{role_id}'" if role_id else f"role {i + 1}"
            self.keys(path, block, what, ROLE_KEYS, ("id", "label"))
            if role_id is not None and role_id in self.role_ids:
                self.problem((*path, "id"), f"the role id '{role_id}' is used twice; role ids must be unique")
                role_id = None
            elif role_id is not None:
                self.role_ids.append(role_id)
            label = self.text((*path, "label"), block["label"], f"the label of {what}") if "label" in block else None
            minimum: int | None = 1
            if "min_respondents" in block:
                value = block["min_respondents"]
                if isinstance(value, float) and value.is_integer() and value in RESPONDENTS:
                    value = int(value)
                if is_number(value) and not isinstance(value, int):
                    self.problem(
                        (*path, "min_respondents"),
                        f"min_respondents of {what} must be a whole number of people, not {shown(value)}",
                    )
                    minimum = None
                else:
                    number = self.number(
                        (*path, "min_respondents"), value, f"min_respondents of {what}", within=RESPONDENTS
                    )
                    minimum = None if number is None else int(number)
            weight = (
                self.number((*path, "weight"), block["weight"], f"the weight of {what}", within=WEIGHT)
                if "weight" in block
                else 1.0
            )
            if role_id is not None and label is not None and minimum is not None and weight is not None:
                self.roles.append(Role(role_id, label, minimum, weight, where=path))

    def read_role_list(self, block: dict[str, Any], path: Path_, what: str, within: tuple[str, ...]) -> tuple[str, ...]:
        """Read the ``roles:`` of a dimension or question; without one, every role in *within*."""
        if "roles" not in block:
            return within
        rpath = (*path, "roles")
        if not isinstance(self.doc.data, dict) or "roles" not in self.doc.data:
            self.problem(
                rpath,
                f"{what} has 'roles:', but the bank declares no roles; add a top-level 'roles:' list, "
                "or remove this one",
                at_key=True,
            )
            return ()
        items = self.sequence(rpath, block["roles"], f"the roles of {what}")
        found: list[str] = []
        for i, role_id in enumerate(items or []):
            if not isinstance(role_id, str) or role_id not in self.role_ids:
                self.problem(
                    (*rpath, i),
                    f"{what} names an unknown role {kind(role_id)}{suggest(str(role_id), self.role_ids)}",
                )
            elif role_id in found:
                self.problem((*rpath, i), f"the role '{role_id}' is listed twice in the roles of {what}")
            else:
                found.append(role_id)
        return tuple(r for r in self.role_ids if r in found)  # the bank's order, whatever the list's

    def read_scales(self, data: dict[str, Any]) -> None:
        scales = self.mapping(("scales",), data["scales"], "scales") if "scales" in data else None
        for scale_id, items in (scales or {}).items():
            path: Path_ = ("scales", scale_id)
            if self.ident(path, scale_id, "a scale's name") is None:
                continue
            self.scale_paths[str(scale_id)] = path
            options = self.read_options(
                path, items, f"scale '{scale_id}'", SCALE_OPTION_KEYS, numeric=True, scored=False
            )
            if options is not None:
                if len(options) < 2:
                    self.problem(path, f"scale '{scale_id}' needs at least two values")
                self.scales[str(scale_id)] = options

    def read_options(
        self, path: Path_, value: Any, what: str, allowed: set[str], *, numeric: bool, scored: bool
    ) -> tuple[Option, ...] | None:
        items = self.sequence(path, value, f"the options of {what}")
        if items is None:
            return None
        if not items:
            self.problem(path, f"{what} has an empty list of options; add at least two")
            return None
        options: list[Option] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            ipath = (*path, i)
            label = f"option {i + 1} of {what}"
            opt = self.mapping(ipath, item, label)
            if opt is None:
                continue
            required = ("value", "label", "score") if scored else ("value", "label")
            self.keys(ipath, opt, label, allowed, required)
            value_ = opt.get("value")
            if "value" in opt:
                if numeric and not (isinstance(value_, float) or is_number(value_)):
                    self.problem(
                        (*ipath, "value"), f"the value of {label} must be a number on a scale, not {kind(value_)}"
                    )
                    value_ = None
                elif numeric and value_ not in VALUE:
                    self.problem((*ipath, "value"), f"the value of {label} must be {VALUE}, not {shown(value_)}")
                    value_ = None
                elif (not numeric and not (isinstance(value_, str) or is_number(value_))) or value_ == "":
                    self.problem(
                        (*ipath, "value"), f"the value of {label} must be a word or a number, not {kind(value_)}"
                    )
                    value_ = None
                elif value_key(value_) in RESERVED_ANSWERS:
                    reserved = value_key(value_)
                    meaning, key = (
                        ("not applicable", "allow_na") if reserved == "na" else ("don't know", "allow_dont_know")
                    )
                    self.problem(
                        (*ipath, "value"),
                        f"'{reserved}' is kept for \"{meaning}\"; give {label} another value and use {key}: true",
                    )
                    value_ = None
                elif value_key(value_) in seen:
                    self.problem(
                        (*ipath, "value"),
                        f"the value {value_!r} appears twice in {what} (first as option {seen[value_key(value_)] + 1}); option values must be unique",
                    )
                    value_ = None
                else:
                    seen[value_key(value_)] = i
            text = self.text((*ipath, "label"), opt["label"], f"the label of {label}") if "label" in opt else None
            score = None
            if "score" in opt:
                score = self.number((*ipath, "score"), opt["score"], f"the score of {label}")
            if value_ is not None and text is not None:
                options.append(Option(value=value_, label=text, score=score))
        return tuple(options)

    def read_rubric(self, data: dict[str, Any]) -> RubricSpec | None:
        if "rubric" not in data:
            return None
        path: Path_ = ("rubric",)
        block = self.mapping(path, data["rubric"], "rubric")
        if block is None:
            return None
        plugin = block.get("plugin", DEFAULT_RUBRIC)
        if not isinstance(plugin, str):
            self.problem((*path, "plugin"), f"rubric.plugin must be the name of a rubric, not {kind(plugin)}")
        else:
            self.rubric_name = plugin
            self.rubric = self.rubrics(plugin)
            if self.rubric is None:
                from selfassess.scoring.plugins import installed_rubrics

                names = ", ".join(sorted(installed_rubrics())) or "none"
                self.problem(
                    (*path, "plugin"),
                    f"no rubric called '{plugin}' is installed (installed: {names}){did_you_mean(plugin, installed_rubrics())}",
                )
        declared = dict(self.rubric.settings) if self.rubric else {}
        self.keys(path, block, "rubric", RUBRIC_KEYS | set(declared), ("levels",), self.other_rubrics("settings"))
        levels = self.read_levels(block.get("levels")) if "levels" in block else ()
        settings = {}
        for key, setting in declared.items():
            if key in block and self.setting((*path, key), block[key], setting, f"rubric.{key}"):
                settings[key] = block[key]
        if not isinstance(plugin, str) or levels is None:
            return None
        return RubricSpec(plugin=plugin, levels=levels, settings=frozen_map(settings))

    def other_rubrics(self, attribute: str) -> dict[str, str]:
        """Map each key that some other installed rubric accepts to that rubric's name."""
        from selfassess.scoring.plugins import installed_rubrics

        cache_key = (self.rubric_name, attribute)
        if cache_key not in self._other_rubrics:
            found: dict[str, str] = {}
            for name, entry in installed_rubrics().items():
                if name != self.rubric_name:
                    for key in getattr(entry.rubric, attribute):
                        found.setdefault(key, name)
            self._other_rubrics[cache_key] = found
        return self._other_rubrics[cache_key]

    def setting(self, path: Path_, value: Any, setting: Setting, what: str) -> bool:
        """Check a rubric-declared setting's type; the rubric checks its meaning."""
        if setting.kind == "number":
            bounds = _bounds(setting)
            if not isinstance(value, float) and not is_number(value):
                self.number(path, value, what)  # says it is not a number
                return False
            if value not in bounds:
                self.problem(
                    path, f"{what} must be between {plain(bounds.low)} and {plain(bounds.high)}, not {shown(value)}"
                )
                return False
            return True
        if setting.kind == "factors":
            factors = self.mapping(path, value, what)
            if factors is None:
                return False
            ok = True
            for key, factor in factors.items():
                if key not in setting.keys:
                    self.problem(
                        (*path, key),
                        f"unknown key '{key}' in {what} (keys: {', '.join(setting.keys)}){suggest(str(key), setting.keys)}",
                        at_key=True,
                    )
                    ok = False
                elif not isinstance(factor, float) and not is_number(factor):
                    self.number((*path, key), factor, f"{what}.{key}")  # says it is not a number
                    ok = False
                elif factor not in (bounds := _bounds(setting)):
                    self.problem(
                        (*path, key),
                        f"{what}.{key} must be between {plain(bounds.low)} and {plain(bounds.high)}, not {shown(factor)}",
                    )
                    ok = False
            return ok
        if setting.kind == "level":
            if value in self.level_ids:
                return True
            self.problem(
                path, f"{what} must be a level id of this bank, not {kind(value)}{suggest(str(value), self.level_ids)}"
            )
            return False
        if isinstance(value, str):
            return True
        self.problem(path, f"{what} must be a text, not {kind(value)}")
        return False

    def read_levels(self, value: Any) -> tuple[Level, ...] | None:
        path: Path_ = ("rubric", "levels")
        items = self.sequence(path, value, "rubric.levels")
        if items is None:
            return None
        if not items:
            self.problem(path, "rubric.levels is empty; define at least one level starting at min: 0")
            return None
        levels: list[Level] = []
        previous: float | None = None
        for i, item in enumerate(items):
            ipath = (*path, i)
            block = self.mapping(ipath, item, f"level {i + 1}")
            if block is None:
                continue
            level_id = self.ident((*ipath, "id"), block["id"], f"the id of level {i + 1}") if "id" in block else None
            what = f"level '{level_id}'" if level_id else f"level {i + 1}"
            self.keys(ipath, block, what, LEVEL_KEYS, ("id", "min", "label"))
            if level_id in self.level_ids:
                self.problem((*ipath, "id"), f"the level id '{level_id}' is used twice; level ids must be unique")
                level_id = None
            minimum = (
                self.number((*ipath, "min"), block["min"], f"the min of {what}", within=LEVEL_MIN)
                if "min" in block
                else None
            )
            if minimum is not None:
                if i == 0 and minimum != 0:
                    self.problem((*ipath, "min"), f"the first level must start at min: 0, not {block['min']}")
                elif previous is not None and minimum <= previous:
                    self.problem(
                        (*ipath, "min"),
                        f"levels must strictly ascend: the min of {what} ({block['min']}) is not above the previous level's ({previous:g})",
                    )
                previous = minimum
            label = self.text((*ipath, "label"), block["label"], f"the label of {what}") if "label" in block else None
            description = self.optional_text(block, ipath, "description", f"the description of {what}")
            if level_id is not None:
                self.level_ids.append(level_id)
                if minimum is not None and label is not None:
                    levels.append(Level(id=level_id, min=minimum, label=label, description=description))
        return tuple(levels)

    def read_profile(self, data: dict[str, Any], seen: dict[str, Path_]) -> list[Question]:
        if "profile" not in data:
            return []
        items = self.sequence(("profile",), data["profile"], "profile")
        return [q for i, item in enumerate(items or []) if (q := self.read_question(("profile", i), item, None, seen))]

    def read_dimensions(self, data: dict[str, Any], seen_questions: dict[str, Path_]) -> list[Dimension]:
        if "dimensions" not in data:
            return []
        items = self.sequence(("dimensions",), data["dimensions"], "dimensions")
        if items is not None and not items:
            self.problem(("dimensions",), "dimensions is empty; a bank needs at least one dimension")
        dimensions: list[Dimension] = []
        seen: dict[str, Path_] = {}
        for i, item in enumerate(items or []):
            path: Path_ = ("dimensions", i)
            block = self.mapping(path, item, f"dimension {i + 1}")
            if block is None:
                continue
            dim_id = self.ident((*path, "id"), block["id"], f"the id of dimension {i + 1}") if "id" in block else None
            what = f"dimension '{dim_id}'" if dim_id else f"dimension {i + 1}"
            own_rubric, rubric_settings = self.dimension_rubric(block, path, what)
            if dim_id is not None and dim_id in seen:
                line = self.doc.at(seen[dim_id]).line
                self.problem(
                    (*path, "id"), f"the dimension id '{dim_id}' is already used on line {line}; ids must be unique"
                )
                dim_id = None
            elif dim_id is not None:
                seen[dim_id] = (*path, "id")
            title = self.text((*path, "title"), block["title"], f"the title of {what}") if "title" in block else None
            description = self.optional_text(block, path, "description", f"the description of {what}")
            weight = (
                self.number((*path, "weight"), block["weight"], f"the weight of {what}", within=WEIGHT)
                if "weight" in block
                else 1.0
            )
            roles = self.read_role_list(block, path, what, tuple(self.role_ids))
            questions: list[Question] = []
            if "questions" in block:
                qitems = self.sequence((*path, "questions"), block["questions"], f"the questions of {what}") or []
                for j, qitem in enumerate(qitems):
                    q = self.read_question(
                        (*path, "questions", j), qitem, dim_id or "?", seen_questions, roles, own_rubric
                    )
                    if q is not None:
                        questions.append(q)
                if not qitems:
                    self.problem((*path, "questions"), f"{what} has no questions; add at least one")
                elif not any(q.scored for q in questions) and len(questions) == len(qitems):
                    self.problem(
                        (*path, "questions"), f"{what} has no scored question (only text); add one it can be scored by"
                    )
                elif (
                    self.role_ids and len(questions) == len(qitems) and not any(q.scored and q.roles for q in questions)
                ):
                    self.problem(
                        (*path, "roles") if "roles" in block else (*path, "questions"),
                        f"no role answers a scored question in {what}; give at least one scored question a role",
                    )
            feedback = self.read_feedback(block, path, what)
            resources = self.read_resources(block, path, what)
            if dim_id is not None and title is not None and weight is not None:
                dimensions.append(
                    Dimension(
                        id=dim_id, title=title, description=description, weight=weight,
                        questions=tuple(questions), feedback=frozen_map(feedback), where=path, roles=roles,
                        resources=resources, rubric=own_rubric.name if own_rubric else None,
                        rubric_settings=frozen_map(rubric_settings),
                    )
                )  # fmt: skip
        return dimensions

    def dimension_rubric(self, block: dict[str, Any], path: Path_, what: str) -> tuple[Rubric | None, dict[str, Any]]:
        """Read a dimension's keys and its own ``rubric:`` with that rubric's settings (e.g. staged's threshold)."""
        own: Rubric | None = None
        if "rubric" in block:
            name = block["rubric"]
            if not isinstance(name, str):
                self.problem((*path, "rubric"), f"the rubric of {what} must be the name of a rubric, not {kind(name)}")
            else:
                own = self.rubrics(name)
                if own is None:
                    from selfassess.scoring.plugins import installed_rubrics

                    names = ", ".join(sorted(installed_rubrics())) or "none"
                    self.problem(
                        (*path, "rubric"),
                        f"no rubric called '{name}' is installed (installed: {names}){did_you_mean(name, installed_rubrics())}",
                    )
        declared = dict(own.settings) if own else {}
        # A rubric setting without 'rubric:' (threshold on a weighted-mean dimension) says what is missing.
        for key, owner in self.rubric_settings_anywhere().items():
            if key in block and key not in declared and key not in DIMENSION_KEYS:
                self.problem(
                    (*path, key),
                    f"'{key}' in {what} is a setting of the {owner} rubric; add 'rubric: {owner}' to {what}, or remove it",
                    at_key=True,
                )
                declared.setdefault(key, Setting("string", ""))  # reported: not unknown as well
        self.keys(path, block, what, DIMENSION_KEYS | set(declared), ("id", "title", "questions"))
        settings = {}
        for key, setting in (own.settings if own else {}).items():
            if key in block and self.setting((*path, key), block[key], setting, f"{key} of {what}"):
                settings[key] = block[key]
        return own, settings

    def rubric_settings_anywhere(self) -> dict[str, str]:
        """Map each bank-level setting of every installed rubric to that rubric's name."""
        from selfassess.scoring.plugins import installed_rubrics

        found: dict[str, str] = {}
        for name, entry in installed_rubrics().items():
            for key in entry.rubric.settings:
                found.setdefault(key, name)
        return found

    def read_resources(self, block: dict[str, Any], path: Path_, what: str) -> tuple[Resource, ...]:
        """Read a dimension's ``resources:``: links for its next steps, per level."""
        if "resources" not in block:
            return ()
        rpath = (*path, "resources")
        items = self.sequence(rpath, block["resources"], f"the resources of {what}") or []
        resources: list[Resource] = []
        for i, item in enumerate(items):
            ipath = (*rpath, i)
            label = f"resource {i + 1} of {what}"
            res = self.mapping(ipath, item, label)
            if res is None:
                continue
            self.keys(ipath, res, label, RESOURCE_KEYS, ("title", "url"))
            title = self.text((*ipath, "title"), res["title"], f"the title of {label}") if "title" in res else None
            url = self.read_url((*ipath, "url"), res["url"], f"the url of {label}") if "url" in res else None
            levels = self.read_levels_list((*ipath, "levels"), res["levels"], label) if "levels" in res else ()
            if title is not None and url is not None and levels is not None:
                resources.append(Resource(title=title, url=frozen_map(url), levels=levels, where=ipath))
        return tuple(resources)

    def read_url(self, path: Path_, value: Any, what: str) -> dict[str, str] | None:
        """Read an address, or a map language → address; return it per language (the default's first)."""
        if isinstance(value, str):
            return {self.languages[0]: value} if self.check_url(path, value, what) else None
        if not isinstance(value, dict) or not value:
            self.problem(
                path,
                f"{what} must be an address starting with https:// or a map of language → address, not {kind(value)}",
            )
            return None
        urls: dict[str, str] = {}
        ok = True
        for lang, item in value.items():
            if lang not in self.languages and lang not in self.drafts:
                self.problem(
                    (*path, lang),
                    f"{what} has an address in '{lang}', which is not in the bank's languages{suggest(str(lang), self.languages + self.drafts)}",
                    at_key=True,
                )
                ok = False
            elif not isinstance(item, str) or not self.check_url((*path, lang), item, f"{what} in '{lang}'"):
                if not isinstance(item, str):
                    self.problem((*path, lang), f"{what} in '{lang}' must be an address, not {kind(item)}")
                ok = False
            else:
                urls[str(lang)] = item
        if not ok:
            return None
        # A language left out falls back to "en", then to the first given (Resource.url_for).
        return {lang: urls[lang] for lang in (*self.languages, *self.drafts) if lang in urls}

    def check_url(self, path: Path_, value: str, what: str) -> bool:
        if URL.match(value):
            return True
        fix = "write the whole address, starting with https://"
        if value.startswith(("https://", "http://")):
            fix = "an address has no spaces and names a host after the //"
        self.problem(path, f"{what} must start with https:// (or http://), not {kind(value)}; {fix}")
        return False

    def read_levels_list(self, path: Path_, value: Any, what: str) -> tuple[str, ...] | None:
        """Read a list of the bank's level ids."""
        items = self.sequence(path, value, f"the levels of {what}")
        if items is None:
            return None
        if not items:
            self.problem(
                path, f"the levels of {what} are empty; list level ids, or remove 'levels:' to show it at every level"
            )
            return None
        found: list[str] = []
        for i, level_id in enumerate(items):
            if not isinstance(level_id, str) or level_id not in self.level_ids:
                defined = ", ".join(self.level_ids) or "none"
                self.problem(
                    (*path, i),
                    f"{what} names an unknown level {kind(level_id)} (levels: {defined}){did_you_mean(str(level_id), self.level_ids)}",
                )
                return None
            if level_id in found:
                self.problem((*path, i), f"the level '{level_id}' is listed twice in the levels of {what}")
                return None
            found.append(level_id)
        return tuple(found)

    def read_feedback(self, block: dict[str, Any], path: Path_, what: str) -> dict[str, Text]:
        if "feedback" not in block:
            return {}
        fpath = (*path, "feedback")
        items = self.mapping(fpath, block["feedback"], f"the feedback of {what}") or {}
        feedback: dict[str, Text] = {}
        for level_id, value in items.items():
            if level_id not in self.level_ids:
                defined = ", ".join(self.level_ids) or "none"
                self.problem(
                    (*fpath, level_id),
                    f"feedback for an unknown level '{level_id}' in {what} (levels: {defined}){did_you_mean(str(level_id), self.level_ids)}",
                    at_key=True,
                )
                continue
            text = self.text((*fpath, level_id), value, f"the '{level_id}' feedback of {what}")
            if text is not None:
                feedback[str(level_id)] = text
        return feedback

    def read_question(
        self,
        path: Path_,
        item: Any,
        dimension: str | None,
        seen: dict[str, Path_],
        dimension_roles: tuple[str, ...] = (),
        dimension_rubric: Rubric | None = None,
    ) -> Question | None:
        where = "the profile" if dimension is None else f"dimension '{dimension}'"
        block = self.mapping(path, item, f"a question in {where}")
        if block is None:
            return None
        qid = self.ident((*path, "id"), block["id"], f"the id of a question in {where}") if "id" in block else None
        what = (
            f"question '{qid}'" if qid else f"question {path[-1] + 1 if isinstance(path[-1], int) else ''} of {where}"
        )
        # The rubric that scores the question's dimension: its own, else the bank's.
        rubric = dimension_rubric or self.rubric
        declared = dict(rubric.question_settings) if rubric and dimension is not None else {}
        elsewhere = self.other_rubrics("question_settings") if dimension is not None else None
        scored_by = None
        if dimension_rubric is not None:
            elsewhere = {k: v for k, v in (elsewhere or {}).items() if v != dimension_rubric.name}
            scored_by = f"dimension '{dimension}' is scored by the {dimension_rubric.name} rubric"
        self.keys(path, block, what, QUESTION_KEYS | set(declared), ("id", "type", "text"), elsewhere, scored_by)
        if qid is not None and qid in seen:
            line = self.doc.at(seen[qid]).line
            self.problem(
                (*path, "id"),
                f"the question id '{qid}' is already used on line {line}; question ids must be unique in the whole bank, profile included",
            )
            qid = None
        elif qid is not None:
            seen[qid] = (*path, "id")
        qtype = block.get("type")
        rules: QuestionType | None = None
        if isinstance(qtype, str) and qtype in TYPES:
            rules = TYPES[qtype]
        elif "type" in block:
            self.problem(
                (*path, "type"), f"unknown question type {kind(qtype)} in {what}{suggest(str(qtype), QUESTION_TYPES)}"
            )
        scored = dimension is not None and rules is not None and rules.scorable
        text = self.text((*path, "text"), block["text"], f"the text of {what}") if "text" in block else None
        help_ = self.optional_text(block, path, "help", f"the help of {what}")
        weight = 1.0
        if "weight" in block:
            weight = self.number((*path, "weight"), block["weight"], f"the weight of {what}", within=WEIGHT) or 1.0
        required = rules is not None and rules.scorable
        if "required" in block:
            flag = self.flag((*path, "required"), block["required"], f"required in {what}")
            required = flag if flag is not None else required
        allow_na = False
        if "allow_na" in block:
            allow_na = bool(self.flag((*path, "allow_na"), block["allow_na"], f"allow_na in {what}"))
        allow_dont_know = False
        if "allow_dont_know" in block:
            allow_dont_know = bool(
                self.flag((*path, "allow_dont_know"), block["allow_dont_know"], f"allow_dont_know in {what}")
            )
            if allow_dont_know and rules is not None and not rules.takes_na:
                self.problem(
                    (*path, "allow_dont_know"),
                    f"allow_dont_know is not for {rules.name} questions ({what}): leaving it empty says as much; "
                    "remove it, or make it optional with 'required: false'",
                    at_key=True,
                )
        own = self.type_keys(block, path, what, rules, scored)
        show_if = self.read_show_if(block, path, what)
        roles = self.question_roles(block, path, what, dimension, dimension_roles)
        share_text = False
        if "share_text" in block:
            share_text = bool(self.flag((*path, "share_text"), block["share_text"], f"share_text in {what}"))
            if rules is not None and rules.name != "text":
                self.problem(
                    (*path, "share_text"),
                    f"share_text is for text questions only, and {what} is of type {rules.name}; remove it",
                    at_key=True,
                )
        settings = {}
        for key, setting in declared.items():
            if key in block and self.setting((*path, key), block[key], setting, f"{key} in {what}"):
                settings[key] = block[key]
        if qid is None or rules is None or text is None:
            return None
        return Question(
            id=qid, type=rules.name, text=text, help=help_, scale=own.scale, options=own.options, weight=weight,
            required=required, allow_na=allow_na, allow_dont_know=allow_dont_know, unit=own.unit, min=own.min,
            max=own.max, score_from=own.score_from, score_to=own.score_to, trustworthiness=own.trustworthiness,
            show_if=show_if, dimension=dimension,
            scored=scored, where=path, settings=frozen_map(settings), roles=roles, share_text=share_text,
        )  # fmt: skip

    def question_roles(
        self, block: dict[str, Any], path: Path_, what: str, dimension: str | None, within: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A question's roles: its dimension's, or a narrower list; none for the profile."""
        if dimension is None:
            if "roles" in block:
                self.problem(
                    (*path, "roles"),
                    f"{what} is in the profile, which the coordinator answers once for the whole organisation; "
                    "remove 'roles:' (or move the question into a dimension)",
                    at_key=True,
                )
            return ()
        roles = self.read_role_list(block, path, what, within)
        wider = [r for r in roles if r not in within]
        if wider:
            self.problem(
                (*path, "roles"),
                f"{what} is given to {', '.join(wider)}, which do not answer its dimension "
                f"(its roles: {', '.join(within) or 'none'}); a question may narrow its dimension's roles, "
                "not widen them",
            )
            roles = tuple(r for r in roles if r in within)
        elif "roles" in block and not roles and isinstance(block["roles"], list) and not block["roles"]:
            self.problem((*path, "roles"), f"no role answers {what} (roles: []); list at least one role")
        return roles

    def type_keys(
        self, block: dict[str, Any], path: Path_, what: str, rules: QuestionType | None, scored: bool
    ) -> TypeFields:
        """Let the question's type read its own keys; report the keys of other types."""
        if rules is None:
            return TypeFields()  # the unknown type is reported: its keys cannot be judged
        for key, owner in KEY_OWNERS.items():
            if key in block and key not in rules.keys:
                self.problem((*path, key), rules.misplaced(key, what, owner), at_key=True)
        return rules.read(self, block, path, what, scored)

    def read_show_if(self, block: dict[str, Any], path: Path_, what: str) -> ShowIf | None:
        if "show_if" not in block:
            return None
        spath = (*path, "show_if")
        cond = self.mapping(spath, block["show_if"], f"show_if of {what}")
        if cond is None:
            return None
        self.keys(spath, cond, f"show_if of {what}", {"question", *SHOW_IF_OPERATORS}, ("question",))
        operators = [op for op in SHOW_IF_OPERATORS if op in cond]
        if len(operators) != 1:
            self.problem(
                spath, f"show_if of {what} needs exactly one of equals, in or min (found {len(operators) or 'none'})"
            )
            return None
        op = operators[0]
        value = cond[op]
        if op == "in" and not (isinstance(value, list) and value):
            self.problem((*spath, "in"), f"show_if 'in' of {what} must be a non-empty list of values")
            return None
        if op == "min" and self.number((*spath, "min"), value, f"show_if 'min' of {what}") is None:
            return None
        target = cond.get("question")
        if not isinstance(target, str):
            return None
        return ShowIf(question=target, operator=op, value=tuple(value) if op == "in" else value)  # type: ignore[arg-type]

    def check_show_if(self, questions: list[Question], declared: set[str]) -> None:
        """A condition may only name an earlier question, and only values it can have.

        *declared* holds every id written, even of questions too broken to build:
        naming one of those is not a second mistake.
        """
        order = {q.id: i for i, q in enumerate(questions)}
        by_id = {q.id: q for q in questions}
        all_ids = set(order)
        for i, q in enumerate(questions):
            cond = q.show_if
            if cond is None:
                continue
            spath = (*q.where, "show_if", "question")
            if cond.question not in order:
                if cond.question in declared:
                    continue
                self.problem(
                    spath,
                    f"show_if of question '{q.id}' names an unknown question '{cond.question}'{did_you_mean(cond.question, all_ids)}",
                )
                continue
            if order[cond.question] >= i:
                self.problem(
                    spath,
                    f"show_if of question '{q.id}' names '{cond.question}', which comes {'at the same place' if order[cond.question] == i else 'later'}; a condition may only depend on an earlier question",
                )
                continue
            target = by_id[cond.question]
            # The profile is the organisation's, known to every group; a dimension question is only
            # answered by its roles, so a condition on it is undecided for the others.
            unanswered = [r for r in q.roles if target.dimension is not None and r not in target.roles]
            if unanswered:
                self.problem(
                    spath,
                    f"show_if of question '{q.id}' depends on '{target.id}', which {', '.join(unanswered)} "
                    f"{'does' if len(unanswered) == 1 else 'do'} not answer (it is for {', '.join(target.roles) or 'no role'}); "
                    f"narrow the roles of '{q.id}', or give '{target.id}' those roles",
                )
                continue
            vpath = (*q.where, "show_if", cond.operator)
            if cond.operator == "min" and not TYPES[target.type].ordered:
                ordered = " or ".join(t.name for t in TYPES.values() if t.ordered)
                self.problem(
                    vpath, f"show_if 'min' needs a {ordered} question, but '{target.id}' is of type {target.type}"
                )
            elif cond.operator in ("equals", "in"):
                values = cond.value if cond.operator == "in" else (cond.value,)
                allowed = TYPES[target.type].possible_values(target)
                for v in values:
                    if allowed is not None and value_key(v) not in allowed:
                        self.problem(
                            vpath,
                            f"show_if of question '{q.id}' compares with {v!r}, which '{target.id}' cannot take (values: {', '.join(sorted(allowed))})",
                        )


def _bounds(setting: Setting) -> Range:
    """A rubric setting's own bounds; where it declares none, those of every other value."""
    low = VALUE.low if setting.minimum is None else setting.minimum
    high = VALUE.high if setting.maximum is None else setting.maximum
    return Range(low, high)


def _looks_numeric(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def find_banks(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to the ``*.yaml``/``*.yml`` files in them, sorted; keep files as given."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml") and x.is_file()))
        else:
            found.append(p)
    return found


def load_banks(
    paths: Iterable[str | Path], rubrics: RubricLookup | None = None, *, warnings: list[Problem] | None = None
) -> tuple[list[Questionnaire], list[Problem]]:
    """Load every bank under *paths*; return the good ones and all problems of the rest (warnings as in :func:`load_bank`)."""
    banks: list[Questionnaire] = []
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    for path in find_banks(paths):
        try:
            bank = load_bank(path, rubrics, warnings=warnings)
        except BankError as exc:
            problems.extend(exc.problems)
            continue
        if bank.id in ids:
            problems.append(
                Problem(
                    str(path),
                    1,
                    1,
                    f"the bank id '{bank.id}' is already used by {ids[bank.id]}; bank ids must be unique",
                )
            )
            continue
        ids[bank.id] = str(path)
        banks.append(bank)
    return banks, problems


__all__ = ["BankError", "Problem", "did_you_mean", "find_banks", "load_bank", "load_banks", "load_text", "suggest"]
