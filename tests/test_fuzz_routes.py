"""Fuzz every route of the URL map: random URL values, forms, JSON, raw bodies, query strings.

The hardening issue's acceptance point: whatever is sent to whichever address, logged out
or logged in as a facilitator, the app answers below 500, logs nothing at ERROR level and
never shows a traceback. The main pass switches CSRF off so that random data reaches the
views (CSRF itself is tested elsewhere); a smaller pass runs with CSRF on, sometimes with
a valid token. The author's preview app (``selfassess preview``) is fuzzed the same way.

URL variables mix real values (a draft's token, submitted responses' tokens, the cohort's
code, existing page numbers, the banks' ids) with hostile ones. Hypothesis runs
derandomized and without its example database, so CI sees the same inputs every run.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import re
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from selfassess import accounts, cohorts, store
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.resources import PACKAGE_DIR
from selfassess.web import create_app
from selfassess.web.preview import create_preview_app
from tests.conftest import ENGINES, V1_BANKS, Respondent, csrf_token, fresh_database
from tests.test_take_flow import answer_all

EXAMPLES = 25  # per route, method and login state, CSRF off
CSRF_EXAMPLES = 8  # per route and method, CSRF on
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
PREVIEW_BANK = V1_BANKS / "go-international.yaml"

EMAIL = "fuzz@agency.eu"
OTHER_EMAIL = "other@agency.eu"
PASSWORD = "a long fuzz password"

FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the routes, read from the apps' URL maps ------------------------------------------------


@dataclass(frozen=True, order=True)
class Route:
    app: str  # "main" (create_app) or "preview" (create_preview_app)
    rule: str
    method: str
    endpoint: str

    def __str__(self) -> str:
        return f"{self.app} {self.method} {self.rule}"


def routes_of(app: Flask, name: str) -> list[Route]:
    return sorted(
        Route(name, rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in SKIPPED_METHODS
    )


def collect_routes() -> list[Route]:
    with tempfile.TemporaryDirectory() as tmp:
        main = create_app({"SELFASSESS_DATABASE": str(Path(tmp) / "routes.db"), "SECRET_KEY": "routes"})
        found = routes_of(main, "main")
    return found + routes_of(create_preview_app(PREVIEW_BANK), "preview")


ROUTES = collect_routes()
VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


# --- the world: apps on one database, a facilitator, a cohort, drafts and submitted responses


class ErrorRecords(logging.Handler):
    """Every record at ERROR or above, from any logger (the app's logs through the root)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class World:
    """The apps and the real values to fuzz with (a plain class: Hypothesis prints it by its repr)."""

    apps: dict[tuple[str, bool], Flask]  # (app, CSRF on) -> app
    db: store.Db
    code: str
    drafts: list[str]
    submitted: list[str]
    pages: int
    bank_ids: list[str]
    field_names: list[str]
    option_values: list[str]
    profile_ids: list[str]
    errors: ErrorRecords
    static_files: list[str]
    session_cookie: str = ""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"World(code={self.code!r}, drafts={self.drafts!r}, submitted={self.submitted!r})"

    def reopen_cohort(self) -> None:
        """Fuzzing may close the cohort, which would hide the invitation routes."""
        cohort = cohorts.by_code(self.db, self.code)
        assert cohort is not None
        cohorts.set_open(self.db, cohort, True)

    def log_in(self) -> None:
        """Log in through the real form (CSRF on) and keep the session cookie for logged-in requests."""
        client = self.apps[("main", True)].test_client()
        environ = {"REMOTE_ADDR": next_address()}
        html = client.get("/facilitator/login", environ_base=environ).get_data(as_text=True)
        data = {"csrf_token": csrf_token(html), "email": EMAIL, "password": PASSWORD}
        login = client.post("/facilitator/login", data=data, environ_base=environ)
        assert login.status_code == 302, login.get_data(as_text=True)
        cookie = client.get_cookie("session")
        assert cookie is not None
        self.session_cookie = cookie.value

    def still_logged_in(self) -> bool:
        client = self.apps[("main", False)].test_client()
        client.set_cookie("session", self.session_cookie)
        return client.get("/facilitator/", environ_base={"REMOTE_ADDR": next_address()}).status_code == 200


_addresses = itertools.count(1)


def next_address() -> str:
    """A new client address per request: the per-address rate limits and login lockouts are tested
    elsewhere, and would otherwise answer 429 before the fuzzed data reaches a view."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def join_and_submit(app: Flask, code: str, bank: Any, seed: int | None) -> str:
    """Join the cohort through its invitation page; answer and submit unless *seed* is None."""
    client = app.test_client()
    page = client.get(f"/join/{code}").get_data(as_text=True)
    started = client.post(f"/join/{code}", data={"csrf_token": csrf_token(page), "lang": "en"})
    assert started.status_code == 302, started.get_data(as_text=True)
    respondent = Respondent.__new__(Respondent)
    respondent.client, respondent.token = client, started.headers["Location"].split("/")[2]
    if seed is not None:
        answer_all(respondent, bank, random_answers(bank, random.Random(seed), 0.5))
        assert respondent.submit().status_code == 302
    return respondent.token


@pytest.fixture(scope="module", params=ENGINES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fresh_database(request.param, tmp_path_factory.mktemp("fuzz"), "fuzz.db") as path:
        yield from _world(path)


def _world(path: str) -> Iterator[World]:
    config = {
        "SELFASSESS_DATABASE": path,
        "SECRET_KEY": "fuzz",
        "TESTING": True,
        "SELFASSESS_MIN_PEERS": 2,  # so that the peer figures are drawn with three providers
        "SELFASSESS_SECURE_COOKIES": False,
        "SELFASSESS_RATE_LIMIT": "100000 per minute",
    }
    guarded = create_app(config)
    open_app = create_app({**config, "WTF_CSRF_ENABLED": False})
    preview_guarded = create_preview_app(PREVIEW_BANK)
    preview_open = create_preview_app(PREVIEW_BANK)
    preview_open.config.update(WTF_CSRF_ENABLED=False, TESTING=True)
    preview_guarded.config.update(TESTING=True)

    db = store.connect(path)
    owner = accounts.add(db, EMAIL, PASSWORD)
    accounts.add(db, OTHER_EMAIL, PASSWORD)
    cohort = cohorts.create(db, owner.id, "go-international", "Fuzz cohort")
    catalog = guarded.extensions["selfassess_catalog"]
    bank, other_bank = catalog.get("go-international"), catalog.get("solity")

    # Drafts: one started from the home page, one in the cohort; submitted: three in the cohort, one outside.
    drafts = [Respondent(guarded.test_client()).token, join_and_submit(guarded, cohort.code, bank, None)]
    submitted = [join_and_submit(guarded, cohort.code, bank, seed) for seed in (1, 2, 3)]
    outsider = Respondent(guarded.test_client(), "solity")
    answer_all(outsider, other_bank, random_answers(other_bank, random.Random(4), 0.5))
    assert outsider.submit().status_code == 302
    submitted.append(outsider.token)

    questions = [q for b in (bank, other_bank) for q in (*b.profile, *b.questions)]
    options = sorted(
        {str(o.value) for q in questions for o in q.options}
        | {str(o.value) for b in (bank, other_bank) for scale in b.scales.values() for o in scale}
    )
    static = sorted(
        str(p.relative_to(PACKAGE_DIR / "static")) for p in (PACKAGE_DIR / "static").rglob("*") if p.is_file()
    )
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    try:
        world = World(
            apps={("main", True): guarded, ("main", False): open_app, ("preview", True): preview_guarded,
                  ("preview", False): preview_open},
            db=db,
            code=cohort.code,
            drafts=drafts,
            submitted=submitted,
            pages=len(bank_pages(bank)),
            bank_ids=sorted(catalog.banks),
            field_names=sorted({q.id for q in questions}),
            option_values=options,
            profile_ids=sorted({q.id for b in (bank, other_bank) for q in b.profile}),
            errors=errors,
            static_files=static,
        )  # fmt: skip
        world.log_in()  # once, and again only if a fuzzed request logged out
        assert world.still_logged_in()
        yield world
    finally:
        logging.getLogger().removeHandler(errors)
        db.conn.close()


def test_the_fuzzed_routes_are_the_url_map(world: World) -> None:
    """The parametrisation, read when the module is collected, is every route of the apps' URL maps."""
    found = routes_of(world.apps[("main", False)], "main") + routes_of(world.apps[("preview", False)], "preview")
    assert found == ROUTES
    assert len({r for r in ROUTES if r.app == "main"}) >= 25


# --- strategies ------------------------------------------------------------------------------

HOSTILE = [
    "²", "١٢", "𝟗", "Ⅻ", "%0d%0a", "%0D%0AX-Injected:%201", "\r\nX:1", "\n", "../", "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd", "..\\..\\", "\x00", "%00", "a\x00b", "%ZZ", "%", "", " ", ".", "..", "'", '"><svg onload=x>',
    "{{7*7}}", "%s%n", "NaN", "-1", "1e309", "\u202e", "\ufeff", "null", "é", "日本語", "🙂", "A" * 5000,
]  # fmt: skip
ODD_NUMBERS = ["0", "99", "001", "99999999999999999999", "9223372036854775808", "²", "١"]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(st.characters(codec="ascii"), max_size=30),
)
ACTIONS = [
    "next", "previous", "save", "review", "goto:1", "goto:2", "goto:0", "goto:-1", "goto:²", "goto:١", "goto:",
    "goto:99999999999999999999", "goto: 1", "lang:xx", "lang:da", "lang:nb", "lang:en", "lang:", "lang:²", "explode",
]  # fmt: skip
SPECIAL_VALUES = [
    *ACTIONS, "1", "0", "-0", "1.5", "1e309", "nan", "inf", "-inf", "yes", "no", "na", "true", "all", "cohort", "en",
    "da", "xx", "\r\n", "\x00", "%0d%0a", EMAIL, OTHER_EMAIL, PASSWORD, "x" * 200_000, "x" * (1024 * 1024 + 10),
]  # fmt: skip
SPECIAL_FIELDS = [
    "action", "lang", "_organisation", "_shown", "csrf_token", "email", "password", "name", "bank", "open",
    "compare", "description",
]  # fmt: skip
QUERY_KEYS = ["peers", "lang", "next", "compare"]
QUERY_VALUES = [
    "/facilitator/\r\nX:1", "/facilitator/\nX:1", "/facilitator/%0d%0aX:1", "/facilitator/", "/facilitator/../x",
    "//evil.example/", "https://evil.example/", "all", "cohort", "country", "1", "2", "99", "", "²", "xx", "da",
]  # fmt: skip
RAW_QUERIES = [
    "next=/facilitator/%0d%0aX:1", "next=/facilitator/%0aX:1", "next=%2Ffacilitator%2F%0D%0ASet-Cookie:x=1",
    "peers=%ZZ", "peers=", "peers=%00", "lang=%00", "lang=%E2%82", "compare=1&compare=2&compare=x", "&&==&", "%",
    "f_country=NO", "f_country=%00", "peers=cohort&lang=da",
]  # fmt: skip
CONTENT_TYPES = [
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data", "multipart/form-data; boundary=xyz", "application/json",
    "application/json; charset=utf-16", "text/plain", "",
]  # fmt: skip
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=xyz"
CRAFTED_BODIES = [
    (b"--xyz\r\nContent-Disposition: form-data\r\n\r\nv\r\n--xyz--\r\n", MULTIPART),  # a part without a name
    (b'--xyz\r\nContent-Disposition: form-data; name="action"; filename="a.txt"\r\n\r\nnext\r\n--xyz--\r\n', MULTIPART),
    (b"--xyz--\r\n", MULTIPART),
    (b'--xyz\r\nContent-Disposition: form-data; name="action"\r\n\r\nnext', MULTIPART),  # never closed
    (b"a=%ZZ&b=%ff%fe&action=goto%3A%C2%B2&lang=%00", FORM),
    (b"\xff\xfe=\xff&action=\xc0\x80", FORM),
    (b"a=" + b"x" * (1024 * 1024 + 1), FORM),  # more than MAX_CONTENT_LENGTH
    (b'{"country": NaN, "q1": Infinity}', "application/json"),
    (b"[" * 100_000, "application/json"),  # nested deeper than the parser's recursion limit
    (b'{"a": 1, "a": 2, "\\ud800": "\\udfff"}', "application/json"),  # a duplicate key, lone surrogates
    (b"\xef\xbb\xbf{}", "application/json"),  # a byte-order mark
]
LANGUAGE_HEADERS = ["da", "nb", "xx;q=abc", "*", "en;q=NaN", "da;q=2, en;q=-1", ",,,;", "²", "x" * 300]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)


@dataclass
class Request:
    route: str
    method: str
    path: str
    query: list[tuple[str, str]] | str
    kind: str  # none, form, multipart, json, raw
    form: list[tuple[str, str]]
    body: bytes
    content_type: str
    headers: dict[str, str]
    valid_csrf: bool

    def __repr__(self) -> str:
        form = [(k, v if len(v) < 80 else f"{v[:20]}…({len(v)} chars)") for k, v in self.form]
        body = self.body if len(self.body) < 200 else self.body[:60] + b"..."
        parts = [f"{self.method} {self.path}", f"query={self.query!r}", f"kind={self.kind}"]
        if self.kind in ("form", "multipart"):
            parts.append(f"form={form!r}")
        if self.kind in ("json", "raw"):
            parts.append(f"body={body!r} content_type={self.content_type!r}")
        if self.headers:
            parts.append(f"headers={self.headers!r}")
        if self.valid_csrf:
            parts.append("with a valid CSRF token")
        return "Request(" + ", ".join(parts) + ")"


def mostly(real: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """*real* three times in four, else *other*; shrinks towards *real*."""
    return st.integers(0, 3).flatmap(lambda i: real if i < 3 else other)


def real_values(world: World, name: str) -> list[str]:
    """Values of the URL variable *name* that name something real (or a known format)."""
    return {
        "token": world.drafts * 2 + world.submitted,  # drafts more often: most respondent routes want one
        "number": [str(n) for n in range(1, world.pages + 1)],
        "code": [world.code],
        "bank_id": world.bank_ids,
        "fmt": ["csv", "json", "xml", "CSV"],
        "filename": [*world.static_files, "vendor/plotly.min.js", "../web/__init__.py"],
        "response_id": [str(n) for n in range(1, 9)],
    }.get(name, [])


def url_value(world: World, name: str) -> st.SearchStrategy[str]:
    """Real values of the URL variable *name* (three times in four) or hostile ones."""
    real = real_values(world, name)
    return mostly(st.sampled_from(real), st.sampled_from(ODD_NUMBERS) | hostile_text) if real else hostile_text


def real_path(world: World, route: Route, odd: dict[str, str] | None = None) -> str:
    """The route's address with the first real value of each variable, or the *odd* value given for it."""
    path = route.rule
    for name in VARIABLE.findall(route.rule):
        value = quote((odd or {}).get(name) or (real_values(world, name) or ["x"])[0], safe="")
        path = VARIABLE.sub(lambda _m, v=value: v, path, count=1)
    return path


def encoded(value: str, raw: bool) -> str:
    # Quoted, every character reaches the view as sent; "raw" keeps / and % so ../ and %0d%0a act on the path.
    return quote(value, safe="/%" if raw else "")


@st.composite
def requests(draw: st.DrawFn, world: World, route: Route) -> Request:
    path = route.rule
    for name in VARIABLE.findall(route.rule):
        value = encoded(draw(url_value(world, name)), draw(st.booleans()))  # quoted, or / and % kept
        path = VARIABLE.sub(lambda _m, v=value: v, path, count=1)

    if draw(st.booleans()):
        query: list[tuple[str, str]] | str = "&".join(draw(st.lists(st.sampled_from(RAW_QUERIES), max_size=3)))
    else:
        keys = mostly(st.sampled_from(QUERY_KEYS + [f"f_{p}" for p in world.profile_ids]), hostile_text)
        values = mostly(st.sampled_from(QUERY_VALUES + world.option_values), hostile_text)
        query = draw(st.lists(st.tuples(keys, values), max_size=4))

    names = mostly(st.sampled_from(SPECIAL_FIELDS + world.field_names), hostile_text)
    values = mostly(st.sampled_from(SPECIAL_VALUES + world.option_values + world.bank_ids), hostile_text)
    # A plausible form to start from (so that, e.g., a login can succeed), then random fields.
    seed = draw(
        st.sampled_from(
            [
                [],
                [("email", EMAIL), ("password", PASSWORD)],
                [("email", EMAIL.upper()), ("password", PASSWORD)],
                [("name", "A cohort"), ("bank", "go-international")],
                [("action", "next")],
                [("email", OTHER_EMAIL)],
                [("open", "1")],
                [("lang", "en")],
            ]
        )
    )
    form = seed + draw(st.lists(st.tuples(names, values), max_size=6))
    kind = draw(st.sampled_from(["none", "form", "form", "form", "multipart", "json", "json", "raw"]))
    body, content_type = b"", ""
    if kind == "json":
        answers = st.dictionaries(
            names, values | st.lists(values, max_size=3) | st.integers() | st.floats(), max_size=8
        )
        # NaN and Infinity included, as Python writes them
        body = json.dumps(draw(mostly(answers, json_values))).encode()
        content_type = "application/json"
    elif kind == "raw":
        body, content_type = draw(
            st.sampled_from(CRAFTED_BODIES) | st.tuples(st.binary(max_size=200), st.sampled_from(CONTENT_TYPES))
        )
    headers = {}
    if draw(st.booleans()):
        headers["Accept-Language"] = draw(
            st.sampled_from(LANGUAGE_HEADERS) | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
        )
    return Request(
        str(route),
        route.method,
        path,
        query,
        kind,
        form,
        body,
        content_type,
        headers,
        draw(mostly(st.just(True), st.just(False))),
    )


# --- sending and checking --------------------------------------------------------------------


def valid_csrf_token(client: FlaskClient, route: Route) -> str | None:
    """A CSRF token valid for this client's session, read from a page as a browser would."""
    page = "/" if route.app == "preview" else "/facilitator/login"
    html = client.get(page, environ_base={"REMOTE_ADDR": next_address()}).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else None


def send(world: World, route: Route, csrf: bool, logged_in: bool, req: Request) -> TestResponse:
    client = world.apps[(route.app, csrf)].test_client()
    if logged_in:
        client.set_cookie("session", world.session_cookie)
    form = list(req.form)
    headers = dict(req.headers)
    # A valid token in both passes: the page save checks its token itself, CSRF on or off.
    if req.valid_csrf and (token := valid_csrf_token(client, route)):
        form = [(k, v) for k, v in form if k != "csrf_token"] + [("csrf_token", token)]
        headers["X-CSRFToken"] = token
    kwargs: dict[str, Any] = {
        "method": req.method,
        "query_string": req.query,
        "headers": headers,
        "environ_base": {"REMOTE_ADDR": next_address()},
    }
    if req.kind in ("form", "multipart"):
        kwargs["data"] = MultiDict(form)
        if req.kind == "multipart":
            kwargs["content_type"] = "multipart/form-data"
    elif req.kind in ("json", "raw"):
        kwargs["data"] = req.body
        kwargs["content_type"] = req.content_type or None
    world.errors.records.clear()
    return client.open(req.path, **kwargs)


def last_lines(record: logging.LogRecord, n: int = 12) -> str:
    if record.exc_info:
        lines = "".join(traceback.format_exception(*record.exc_info)).rstrip().splitlines()
        return "\n".join(lines[-n:])
    return record.getMessage()


def check(world: World, response: TestResponse, req: Request) -> None:
    body = response.get_data()
    problems = []
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    problems += [f"logged {r.levelname}: {r.getMessage()}\n{last_lines(r)}" for r in world.errors.records]
    if b"Traceback" in body or b'File "' in body:
        problems.append("a traceback in the body")
    assert not problems, f"{req!r}\n" + "\n".join(problems)


def exchange(world: World, route: Route, csrf: bool, logged_in: bool, req: Request) -> TestResponse:
    """Send *req* and check the answer; log in again if the request logged the facilitator out."""
    world.reopen_cohort()
    response = send(world, route, csrf, logged_in, req)
    try:
        check(world, response, req)
    finally:
        if logged_in and req.method == "POST" and not world.still_logged_in():
            world.log_in()  # logging out ends the facilitator's every session
    return response


def fuzz_once(world: World, route: Route, csrf: bool, logged_in: bool, data: st.DataObject) -> None:
    req = data.draw(requests(world, route), label="request")
    note(f"{'logged in' if logged_in else 'logged out'}, CSRF {'on' if csrf else 'off'}")
    exchange(world, route, csrf, logged_in, req)


def route_of(endpoint: str, method: str) -> Route:
    return next(r for r in ROUTES if r.app == "main" and r.endpoint == endpoint and r.method == method)


# --- the tests -------------------------------------------------------------------------------


STATES = [
    pytest.param(route, logged_in, id=f"{route}-{'facilitator' if logged_in else 'logged-out'}")
    for route in ROUTES
    for logged_in in ((False, True) if route.app == "main" else (False,))  # the preview app has no logins
]


@pytest.mark.parametrize(("route", "logged_in"), STATES)
@settings(FUZZ_SETTINGS, max_examples=EXAMPLES)
@given(data=st.data())
def test_random_requests_never_fail(world: World, route: Route, logged_in: bool, data: st.DataObject) -> None:
    fuzz_once(world, route, False, logged_in, data)


@pytest.mark.parametrize("route", ROUTES, ids=str)
@settings(FUZZ_SETTINGS, max_examples=CSRF_EXAMPLES)
@given(data=st.data(), logged_in=st.booleans())
def test_random_requests_with_csrf_on_never_fail(
    world: World, route: Route, logged_in: bool, data: st.DataObject
) -> None:
    fuzz_once(world, route, True, logged_in and route.app == "main", data)


# --- crafted inputs, sent every run (random draws may miss them) ------------------------------


@pytest.mark.parametrize("csrf", [False, True], ids=["csrf-off", "csrf-on"])
@pytest.mark.parametrize("route", [r for r in ROUTES if r.method != "GET"], ids=str)
def test_crafted_bodies_never_fail(world: World, route: Route, csrf: bool) -> None:
    """Nameless multipart parts, broken encodings, too large or too deep bodies, to every route that takes a body."""
    logged_in = route.rule.startswith("/facilitator/")
    failures = []
    for body, content_type in CRAFTED_BODIES:
        req = Request(str(route), route.method, real_path(world, route), [], "raw", [], body, content_type, {}, False)
        try:
            exchange(world, route, csrf, logged_in, req)
        except AssertionError as exc:
            failures.append(str(exc).split("\nassert ")[0])
    assert not failures, "\n\n".join(failures)


ODD_URL_VALUES = [*ODD_NUMBERS, "-1", "1.0", " 1", "\x00", "\r\n", "../", "A" * 5000, "🙂"]


@pytest.mark.parametrize("route", [r for r in ROUTES if VARIABLE.search(r.rule)], ids=str)
def test_odd_url_values_never_fail(world: World, route: Route) -> None:
    """Each URL variable in turn given huge, signed, non-ASCII-digit and hostile values, the others real."""
    logged_in = route.rule.startswith("/facilitator/")
    failures = []
    for name in VARIABLE.findall(route.rule):
        for value in ODD_URL_VALUES:
            path = real_path(world, route, {name: value})
            req = Request(str(route), route.method, path, [], "form", [("action", "next")], b"", "", {}, True)
            try:
                exchange(world, route, False, logged_in, req)
            except AssertionError as exc:
                failures.append(str(exc).split("\nassert ")[0])
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "action", ["goto:²", "goto:١", "goto:𝟗", "goto:-1", "goto:0", "goto:99999999999999999999", "lang:xx", "lang:²"]
)
def test_odd_page_actions_never_fail(world: World, action: str) -> None:
    route = route_of("respond.save_page", "POST")
    path = f"/r/{world.drafts[0]}/page/1"
    exchange(
        world,
        route,
        False,
        False,
        Request(str(route), "POST", path, [], "form", [("action", action)], b"", "", {}, True),
    )


@pytest.mark.parametrize(
    "query",
    ["next=/facilitator/%0d%0aX:1", "next=/facilitator/%0aX:1", "next=/facilitator/%E2%80%A8", "next=//evil.example/",
     "next=/facilitator/%2F%2Fevil.example", "next=%00"],
)  # fmt: skip
def test_login_with_an_odd_next_never_fails(world: World, query: str) -> None:
    route = route_of("facilitate.login", "POST")
    form = [("email", EMAIL), ("password", PASSWORD)]
    req = Request(str(route), "POST", "/facilitator/login", query, "form", form, b"", "", {}, True)
    response = exchange(world, route, True, False, req)
    location = response.headers.get("Location", "")
    assert response.status_code == 302 and location.startswith("/") and not location.startswith("//"), location
