"""Shared fixtures: small banks written to real files, and the CLI run in-process."""

from __future__ import annotations

import os
import re
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from selfassess.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The shipped banks as they were in version 1: one respondent answers for the organisation.
# Most tests drive the app through them; tests of the shipped banks read SHIPPED.
V1_BANKS = FIXTURES / "banks"
os.environ["SELFASSESS_QUESTIONNAIRES"] = str(V1_BANKS)

# A small valid bank; tests that break one rule start from it (line numbers matter).
MINIMAL_BANK = """\
id: mini
version: "1"
title: {en: Mini, da: Mini}
languages: [en, da]
scales:
  agree3:
    - {value: 1, label: {en: No, da: Nej}}
    - {value: 2, label: {en: Partly, da: Delvis}}
    - {value: 3, label: {en: Yes, da: Ja}}
profile:
  - id: country
    type: choice
    text: {en: Country, da: Land}
    options:
      - {value: NO, label: {en: Norway, da: Norge}}
      - {value: DK, label: {en: Denmark, da: Danmark}}
rubric:
  levels:
    - {id: low, min: 0, label: {en: Low, da: Lav}}
    - {id: high, min: 50, label: {en: High, da: Høj}}
dimensions:
  - id: d1
    title: {en: One, da: En}
    questions:
      - id: q1
        type: scale
        scale: agree3
        text: {en: Q one, da: S en}
      - id: q2
        type: yesno
        text: {en: Q two, da: S to}
      - id: q3
        type: text
        required: false
        show_if: {question: q2, equals: yes}
        text: {en: Why?, da: Hvorfor?}
    feedback:
      low: {en: Do more., da: Gør mere.}
"""


@pytest.fixture
def write_bank(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text (dedented) to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "bank.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run the ``selfassess`` command line in-process and return its result."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


# --- the database: both engines ----------------------------------------------------------

ENGINES = ["sqlite", "postgresql"]
# The PostgreSQL server the tests use: a database on it gets one fresh schema per test.
POSTGRES = os.environ.get("SELFASSESS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1/test")
_unreachable: list[str] = []  # the reason, once a first attempt failed: later tests fail at once


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself (files, WAL, old schemas); one engine")


def _postgres_admin() -> Any:
    import psycopg

    if _unreachable:
        pytest.fail(_unreachable[0], pytrace=False)
    try:
        return psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        _unreachable.append(
            f"PostgreSQL is not reachable at {POSTGRES} ({' '.join(str(error).split())}). The postgresql tests "
            "need it: start it (pg_ctlcluster --skip-systemctl-redirect 15 main start, or .ci/run does) or point "
            "SELFASSESS_TEST_POSTGRES at a server where this user may create schemas."
        )
        pytest.fail(_unreachable[0], pytrace=False)


@contextmanager
def fresh_database(engine: str, folder: Path, name: str = "test.db") -> Iterator[str]:
    """A new empty database on *engine*: a SQLite file in *folder*, or a PostgreSQL schema of its own (dropped after)."""
    if engine == "sqlite":
        yield str(folder / name)
        return
    from selfassess.store.connection import close_pool

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = _postgres_admin()
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES else "?"
    url = f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        close_pool(url)
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def sqlite_only(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run *test* on SQLite only: it is about SQLite itself (its file, WAL, an old schema)."""
    return pytest.mark.sqlite_only(pytest.mark.parametrize("engine", ["sqlite"])(test))


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn: the test runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database(engine: str, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database on the engine: its SELFASSESS_DATABASE (a SQLite path or a PostgreSQL URL)."""
    with fresh_database(engine, tmp_path) as target:
        yield target


def query(database: str, sql: str, parameters: Any = ()) -> list[tuple[Any, ...]]:
    """Run one statement on either engine (``?`` placeholders) and return its rows: tests look inside the store."""
    from selfassess import store

    db = store.open_database(database)
    with db.conn as conn:
        rows = [tuple(row) for row in conn.execute(sql, list(parameters)).fetchall()]
    if not store.connection.is_postgres(database):
        db.conn.close()
    return rows


def stored_bytes(database: str) -> bytes:
    """Everything the database holds, as bytes to search: a SQLite file as it is, or every PostgreSQL row as text."""
    if not database.startswith(("postgresql://", "postgres://")):
        return Path(database).read_bytes()
    tables = query(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    rows = [row for (table,) in tables for row in query(database, f'SELECT CAST(t AS text) FROM "{table}" t')]
    return "\n".join(row[0] for row in rows).encode()


# --- the web app --------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(database: str):
    """The app on a fresh database, on each engine in turn."""
    from selfassess.web import create_app

    # Tests start many drafts from 127.0.0.1; tests/test_rate_limits.py checks the limits themselves.
    config = {"SELFASSESS_DATABASE": database, "SECRET_KEY": "test", "TESTING": True}
    return create_app({**config, "SELFASSESS_RATE_LIMIT": "100000 per minute"})


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Respondent:
    """Drives the respondent flow through the test client, as a browser would."""

    def __init__(self, client: Any, bank_id: str = "go-international", lang: str = "en") -> None:
        self.client = client
        home = client.get("/").get_data(as_text=True)
        response = client.post(f"/start/{bank_id}", data={"csrf_token": csrf_token(home), "lang": lang})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = response.headers["Location"].split("/")[2]

    def get(self, path: str = "", **kwargs: Any) -> Any:
        return self.client.get(f"/r/{self.token}{path}", **kwargs)

    def post_page(self, number: int, data: dict[str, Any], action: str = "next") -> Any:
        html = self.get(f"/page/{number}").get_data(as_text=True)
        # Like a browser, send the page's hidden list of questions shown (unless the test sets it).
        shown = re.findall(r'name="_shown" value="([^"]+)"', html)
        return self.client.post(
            f"/r/{self.token}/page/{number}",
            data={"csrf_token": csrf_token(html), "action": action, "_shown": shown, **data},
        )

    def submit(self) -> Any:
        html = self.get("/review").get_data(as_text=True)
        return self.client.post(f"/r/{self.token}/submit", data={"csrf_token": csrf_token(html)})


def form_values(answers: dict[str, Any]) -> dict[str, Any]:
    """Turn canonical answers into what a browser posts."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        out[key] = (
            [str(v) for v in value]
            if isinstance(value, list)
            else ("" if value is None else f"{value:g}" if isinstance(value, float) else str(value))
        )
    return out


@pytest.fixture
def respondent(client):
    return Respondent(client)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (its own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Chromium is not installed: apt-get install chromium (CI installs it and never skips)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
