"""The package's layers, checked by reading its source: SQL only in the store, no HTTP below the views."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "selfassess"
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|WITH)\s+\S|\b(FROM|WHERE|JOIN) \w")
HTTP_PACKAGES = ("flask", "flask_wtf", "werkzeug")
NOT_HTTP = ("werkzeug.security",)  # password hashing (accounts.py), no request in sight
# At the top, beside the views: the command line and the settings both serve HTTP and other uses.
TOP = ("selfassess/cli.py", "selfassess/settings.py", "selfassess/__init__.py")


def modules() -> dict[str, ast.Module]:
    return {str(p.relative_to(PACKAGE.parent)): ast.parse(p.read_text(), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, at any depth of the file (imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_sql_is_only_in_the_store() -> None:
    found = []
    for path, tree in modules().items():
        if path.startswith("selfassess/store/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{path}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_only_the_store_imports_the_database_drivers() -> None:
    drivers = ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool")
    offending = [
        f"{path} imports {name}"
        for path, tree in modules().items()
        if not path.startswith("selfassess/store/")
        for name in imported(tree)
        if name.split(".")[0] in drivers
    ]
    assert offending == []


def test_the_checks_see_sql_and_imports() -> None:
    # The patterns must catch what they are for, or the tests above prove nothing.
    assert SQL.search("SELECT id FROM responses WHERE token = ?")
    assert SQL.search("UPDATE scores SET latest = 0")
    assert not SQL.search("Select one of the options from the list.")
    assert not SQL.search("DELETE")  # an HTTP method
    assert "flask.g" in imported(ast.parse("def f():\n    from flask import g\n"))


def view_modules(trees: dict[str, ast.Module]) -> set[str]:
    """The modules of selfassess/web that define a blueprint."""
    out = set()
    for path, tree in trees.items():
        if path.startswith("selfassess/web/") and any(
            isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Blueprint" for node in ast.walk(tree)
        ):
            out.add(path.removesuffix(".py").replace("/", "."))
    return out


def test_no_view_imports_another_view() -> None:
    trees = modules()
    views = view_modules(trees)
    assert {"selfassess.web.respond", "selfassess.web.report", "selfassess.web.facilitate"} <= views
    offending = []
    for path, tree in trees.items():
        name = path.removesuffix(".py").replace("/", ".")
        if name in views:
            offending += [f"{name} imports {other}" for other in imported(tree) & views if other != name]
    assert offending == []


def test_below_the_views_nothing_imports_flask_or_the_web() -> None:
    offending = []
    for path, tree in modules().items():
        if path.startswith("selfassess/web/") or path in TOP:
            continue
        for name in imported(tree):
            if name.startswith(NOT_HTTP):
                continue
            if name.split(".")[0] in HTTP_PACKAGES or name.startswith("selfassess.web"):
                offending.append(f"{path} imports {name}")
    assert offending == []
