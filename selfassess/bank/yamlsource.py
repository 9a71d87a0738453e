"""Read YAML safely and remember where every value came from.

Authors must be told ``file:line:col`` for every mistake, so the loader keeps a
map from each value's path (``("dimensions", 0, "questions", 2, "scale")``) to
its position.  Only YAML 1.2's ``true``/``false`` are booleans: ``NO`` (Norway)
and ``yes``/``no`` (answer values) stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class YamlSyntaxError(Exception):
    """The text is not well-formed YAML (or uses a feature we refuse)."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver with YAML 1.2 core scalars: no yes/no/on/off booleans, plain numbers only."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# YAML 1.2 core numbers: no 1_000 digit groups, no 0777 octals, no 1:20 sexagesimals.
# Codes such as 250_999 or 0800 therefore stay text.
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


# Lists and maps nested deeper than this are refused. The shipped banks nest 8 levels deep
# (bank → dimensions → dimension → questions → question → options → option → label); the
# limit leaves room for any bank and keeps every recursion over a document (composing,
# converting, comparing show_if values) far below Python's recursion limit.
MAX_DEPTH = 40


def _too_deep(mark: Any) -> YamlSyntaxError:
    return YamlSyntaxError(
        f"lists and maps are nested more than {MAX_DEPTH} levels deep here (a bank needs about 8); "
        "close the '[' or '{' left open, or remove the alias that repeats itself",
        _position(mark),
    )


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0

    def get_event(self) -> Any:
        """Return the next event; refuse one that opens a list or map too deep, before composing recurses."""
        event = super().get_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            self._depth -= 1
        return event


def _libyaml_bounds_nesting() -> bool:
    """Return True when libyaml refuses deep nesting itself (0.2.5 and later stop at 1000 levels).

    libyaml composes in C, recursively, where no event can be checked on the way; without its
    own limit a file of 100,000 '[' could overflow the C stack, so the pure-Python parser is used.
    """
    probe = _FastLoader("[" * 1001 + "]" * 1001)
    try:
        probe.get_single_node()
    except yaml.YAMLError:
        return True
    finally:
        probe.dispose()
    return False


try:  # libyaml parses about 15 times faster; messages still come from the pure-Python parser.
    from yaml._yaml import CParser

    class _FastLoader(CParser, yaml.constructor.SafeConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]

if _FastLoader is not None and not _libyaml_bounds_nesting():  # pragma: no cover - libyaml before 0.2.5
    _FastLoader = None  # type: ignore[assignment,misc]


@dataclass
class Document:
    """Plain Python data from a YAML file, with the position of every value and key."""

    data: Any
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path_, Position]] = field(default_factory=list)
    # Character offsets (start, end) of every value and key, and which maps are written
    # in flow style ({...}): what an editor needs to change one value and no other byte.
    spans: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_spans: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    flow: set[Path_] = field(default_factory=set)

    def at(self, path: Path_) -> Position:
        """Where the value at *path* is, or its nearest located parent."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(1, 1))

    def key_at(self, path: Path_) -> Position:
        """Where the key naming the value at *path* is written."""
        return self.keys.get(path) or self.at(path)


def parse(text: str) -> Document:
    """Parse YAML *text* into a :class:`Document`; raise :class:`YamlSyntaxError`."""
    if _FastLoader is not None:
        try:
            fast = _FastLoader(text)
            node = fast.get_single_node()
        except yaml.YAMLError:
            pass  # read it again below, for the clearer message and position
        else:
            try:
                return _document(node, fast)
            finally:
                fast.dispose()
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        where = Position(before.count("\n") + 1, len(before) - before.rfind("\n"))
        raise YamlSyntaxError(
            f"the character U+{exc.character:04X} is not allowed in YAML; delete it or retype the text around it", where
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        hinted = _hint(text, exc)
        if hinted is not None:
            message, mark = hinted
            raise YamlSyntaxError(f"YAML syntax error: {message}", _position(mark)) from None
        message = exc.problem or str(exc)
        if exc.context:
            where_ = exc.context_mark
            opened = (
                f" that starts on line {where_.line + 1}, column {where_.column + 1}"
                if where_ and where_ != mark
                else ""
            )
            message = f"{exc.context}{opened}, {message}"
        if exc.context and "flow" in exc.context:
            message += "; a text inside { } or [ ] that holds ',', ':', '?' or '#' must be in quotes"
        raise YamlSyntaxError(f"YAML syntax error: {message}", _position(mark) if mark else Position(1, 1)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise YamlSyntaxError(f"YAML error: {exc}", Position(1, 1)) from None
    try:
        return _document(node, loader)
    finally:
        loader.dispose()


# A key, then a plain text that holds ': ' (``  - text: Note: this``): the text needs quotes.
_KEY_THEN_TEXT = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_-]+:)[ \t]+(.+?)\s*$")


def _line(text: str, mark: Any) -> str:
    start = text.rfind("\n", 0, mark.index) + 1
    end = text.find("\n", mark.index)
    return text[start : end if end != -1 else len(text)]


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hint(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, Any] | None:
    """Explain the YAML mistakes authors make most, with the fix; None for the rest."""
    problem, context, mark = exc.problem or "", exc.context or "", exc.problem_mark
    if mark is None:
        return None
    if problem == "mapping values are not allowed here":
        line = _line(text, mark)
        found = _KEY_THEN_TEXT.match(line)
        if found is not None and found.end(1) > mark.column:
            return None  # the colon ends the line's own key: misplaced indentation, not a text
        fix = f": {found.group(1)} {_quoted(found.group(2))}" if found else ', e.g. text: "Note: read this"'
        return (
            f"{problem}: the text contains ': ', which starts a new key in YAML; put the whole text in quotes{fix}",
            mark,
        )
    if "found character '\\t'" in problem:
        return "a tab character here; YAML indents with spaces only, so replace the tab with spaces", mark
    if context.startswith("while scanning a quoted scalar") and "end of stream" in problem and exc.context_mark:
        opened = exc.context_mark
        quote = text[opened.index] if opened.index < len(text) else '"'
        inside = "''" if quote == "'" else '\\"'
        return (
            f"the text that opens with {quote} here is never closed; add the closing {quote} at the end of the text "
            f"(a {quote} inside the text is written {inside})",
            opened,
        )
    if context.startswith("while scanning a double-quoted scalar") and "escape character" in problem:
        return (
            r"a backslash inside double quotes starts an escape such as \n; write \\ for a backslash, or use single quotes",
            mark,
        )
    if "expected <block end>" in problem and 0 < mark.index <= len(text) and text[mark.index - 1] == "'":
        return (
            "a text in single quotes ends at the next '; write an apostrophe inside it twice (it''s), "
            'or put the text in double quotes ("it\'s")',
            mark,
        )
    return None


def _document(node: yaml.Node | None, loader: Any) -> Document:
    doc = Document(data=None)
    if node is not None:
        doc.data = _convert(node, (), doc, loader, set())
    return doc


# Aliases can multiply a small file into millions of values ("billion laughs").
MAX_VALUES = 200_000


def _convert(node: yaml.Node, path: Path_, doc: Document, loader: Any, open_nodes: set[int]) -> Any:
    if id(node) in open_nodes:
        raise YamlSyntaxError(
            "an alias refers to a list or map that contains it; remove the loop", _position(node.start_mark)
        )
    if len(doc.values) >= MAX_VALUES:
        raise YamlSyntaxError(
            f"the file expands to more than {MAX_VALUES} values (too many aliases?)", _position(node.start_mark)
        )
    if len(path) >= MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        raise _too_deep(node.start_mark)  # libyaml composes up to 1000 levels, and aliases nest too
    doc.values[path] = _position(node.start_mark)
    doc.spans[path] = (node.start_mark.index, node.end_mark.index)
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        doc.flow.add(path)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        open_nodes.add(id(node))
        try:
            return _convert_collection(node, path, doc, loader, open_nodes)
        finally:
            open_nodes.discard(id(node))
    return _scalar(node, loader)


def _convert_collection(node: yaml.Node, path: Path_, doc: Document, loader: Any, open_nodes: set[int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlSyntaxError(
                    "merge keys (<<) are not supported in banks; write the keys out", _position(key_node.start_mark)
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError("a key must be a plain word, not a list or a map", _position(key_node.start_mark))
            key = _scalar(key_node, loader)
            if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                key = str(key_node.value)
            child = (*path, key)
            if key in result:
                doc.duplicate_keys.append((child, _position(key_node.start_mark)))
            doc.keys[child] = _position(key_node.start_mark)
            doc.key_spans[child] = (key_node.start_mark.index, key_node.end_mark.index)
            result[key] = _convert(value_node, child, doc, loader, open_nodes)
        return result
    return [_convert(item, (*path, i), doc, loader, open_nodes) for i, item in enumerate(node.value)]


MAX_INT_BITS = 1024


def _brief(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}… ({len(text)} characters)"


def _scalar(node: yaml.Node, loader: Any) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise YamlSyntaxError(f"YAML error: {exc.problem}", _position(node.start_mark)) from None
    except (ValueError, OverflowError) as exc:
        raise YamlSyntaxError(
            f"YAML error: cannot read {_brief(node.value)}: {exc}", _position(node.start_mark)
        ) from None
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        # Larger than any float: no sum could use it, and Python cannot even print a long one.
        raise YamlSyntaxError(
            f"the number {_brief(node.value)} is too large (more than 1e308); a bank's numbers are far smaller, "
            "and a code or other text of digits goes in quotes",
            _position(node.start_mark),
        )
    if isinstance(value, (bytes, set)) or type(value).__module__ == "datetime":
        # Dates and binary blobs have no place in a bank: keep what the author typed.
        return str(node.value)
    return value
