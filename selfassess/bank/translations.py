"""Translations round trip: a bank's texts out to a spreadsheet (CSV) and back into the YAML.

The import edits only the spans of the texts it changes, found through the loader's
positions, so comments, order and layout of everything else stay byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from selfassess.bank.yamlsource import Document, Path_, parse

TEXT_KEYS = {"title", "description", "text", "help", "label"}
COLUMNS = ("key", "source", "translation")


class TranslationError(ValueError):
    """A translation file does not fit the bank; the message says where."""


@dataclass(frozen=True)
class Entry:
    """One human text of a bank: a stable key, its place in the document, its translations."""

    key: str
    path: Path_
    translations: dict[str, str]


def _is_text(path: Path_, value: Any) -> bool:
    if not path:
        return False
    last = path[-1]
    at_text_key = last in TEXT_KEYS or (len(path) >= 2 and path[-2] == "feedback")
    lang_map = (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )
    return at_text_key and (isinstance(value, str) or lang_map)


def _key(doc: Document, path: Path_) -> str:
    """A key that survives reordering: list items are named by their id or value."""
    parts: list[str] = []
    data = doc.data
    for step in path:
        item = data[step]
        if isinstance(step, int):
            if isinstance(item, dict) and "id" in item:
                parts.append(str(item["id"]))
            elif isinstance(item, dict) and "value" in item:
                parts.append(f"value={item['value']}")
            else:
                parts.append(str(step))
        else:
            parts.append(str(step))
        data = item
    return "/".join(parts)


def _codes(doc: Document, key: str) -> list[str]:
    value = doc.data.get(key)
    return [str(x) for x in value] if isinstance(value, list) else []


def draft_languages(text: str) -> list[str]:
    """The bank's draft languages: being translated, not yet offered to respondents."""
    doc = parse(text)
    return _codes(doc, "draft_languages") if isinstance(doc.data, dict) else []


def entries(text: str) -> tuple[Document, list[str], list[Entry]]:
    """Return the parsed document, its languages (drafts last) and every human text in document order."""
    doc = parse(text)
    if not isinstance(doc.data, dict):
        raise TranslationError("the file is not a bank (no map at the top)")
    languages = _codes(doc, "languages")
    if not languages:
        raise TranslationError("the bank declares no languages")
    languages += [lang for lang in _codes(doc, "draft_languages") if lang not in languages]
    found: list[Entry] = []

    def walk(value: Any, path: Path_) -> None:
        if _is_text(path, value):
            translations = {languages[0]: value} if isinstance(value, str) else dict(value)
            found.append(Entry(_key(doc, path), path, translations))
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*path, i))

    walk(doc.data, ())
    found.sort(key=lambda e: doc.spans[e.path][0])
    return doc, languages, found


def completeness(text: str) -> dict[str, tuple[int, int]]:
    """Per declared language, drafts included: (texts that have it, all texts)."""
    _, languages, found = entries(text)
    return {lang: (sum(1 for e in found if e.translations.get(lang)), len(found)) for lang in languages}


def export_csv(text: str, lang: str) -> str:
    """CSV (UTF-8 with BOM) of key, source text (default language) and the *lang* translation."""
    _, languages, found = entries(text)
    if lang not in languages:
        raise TranslationError(_undeclared(languages, lang))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in found:
        writer.writerow([entry.key, entry.translations.get(languages[0], ""), entry.translations.get(lang, "")])
    return out.getvalue()


def _undeclared(languages: list[str], lang: str) -> str:
    return (
        f"the bank's languages are {', '.join(languages)}; add {lang!r} to 'draft_languages:' first "
        f"(draft_languages: [{lang}]: translated bit by bit, not offered to respondents until it moves to 'languages:')"
    )


PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#{}\[\],]*$")
RESERVED = re.compile(r"^(?:true|false|null|yes|no|on|off|~|[-+]?[0-9.].*)$", re.IGNORECASE)


def scalar(value: str) -> str:
    """Write *value* as a one-line YAML scalar: plain when safe, else double-quoted."""
    if PLAIN.match(value) and not RESERVED.match(value) and value == value.strip() and "\n" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def import_csv(text: str, lang: str, table: str) -> str:
    """Return *text* with the translations of *table* (an exported CSV) written in."""
    doc, languages, found = entries(text)
    if lang not in languages:
        raise TranslationError(_undeclared(languages, lang))
    by_key = {e.key: e for e in found}
    rows = list(csv.reader(io.StringIO(table.lstrip("\ufeff"))))
    if not rows or tuple(rows[0][:3]) != COLUMNS:
        raise TranslationError(f"line 1: the columns must be {', '.join(COLUMNS)}")
    edits: list[tuple[int, int, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 3:
            raise TranslationError(f"line {number}: expected 3 columns, found {len(row)}")
        key, _source, new = row[0], row[1], row[2]
        entry = by_key.get(key)
        if entry is None:
            raise TranslationError(f"line {number}: the bank has no text called {key!r}")
        if not new or entry.translations.get(lang) == new:
            continue
        edits.append(_edit(text, doc, entry, languages[0], lang, new))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _edit(text: str, doc: Document, entry: Entry, default: str, lang: str, new: str) -> tuple[int, int, str]:
    start, end = doc.spans[entry.path]
    value = doc.data
    for step in entry.path:
        value = value[step]
    if isinstance(value, str):  # one language so far: becomes a map
        return start, end, "{" + f"{default}: {scalar(value)}, {lang}: {scalar(new)}" + "}"
    if lang in value:
        s, e = doc.spans[(*entry.path, lang)]
        return s, e, scalar(new)
    if entry.path in doc.flow:
        close = text.rindex("}", start, end)
        return close, close, f", {lang}: {scalar(new)}"
    last = list(value)[-1]
    key_start = doc.key_spans[(*entry.path, last)][0]
    indent = key_start - (text.rfind("\n", 0, key_start) + 1)
    position = doc.spans[(*entry.path, last)][1]
    while position > key_start and text[position - 1] == "\n":
        position -= 1
    return position, position, "\n" + " " * indent + f"{lang}: {scalar(new)}"
