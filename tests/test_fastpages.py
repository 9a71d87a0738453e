"""The fast path for question pages answers exactly as the Flask view does, and leaves the rest to Flask."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from selfassess import store
from selfassess.bank.pages import bank_pages
from selfassess.bank.synthetic import random_answers
from selfassess.web.fastpages import FastQuestionPages
from tests.conftest import CSRF_RE, Respondent, form_values


def call(wsgi: Any, path: str, cookie: str | None = None, **kwargs: Any) -> tuple[str, list[tuple[str, str]], bytes]:
    headers = {"Cookie": cookie} if cookie else {}
    environ = EnvironBuilder(path=path, headers=headers, **kwargs).get_environ()
    got: list[Any] = []
    body = wsgi(environ, lambda status, headers, exc_info=None: got.extend([status, headers]))
    data = b"".join(body)
    getattr(body, "close", lambda: None)()
    return got[0], list(got[1]), data


def session_cookie(headers: list[tuple[str, str]]) -> str:
    value = next(v for k, v in headers if k == "Set-Cookie")
    return value.split(";", 1)[0]


def without_cookie_value(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, re.sub(r"^session=[^;]+", "session=…", v) if k == "Set-Cookie" else v) for k, v in headers]


@pytest.fixture
def fast(app) -> FastQuestionPages:
    assert isinstance(app.wsgi_app, FastQuestionPages)
    return app.wsgi_app


@pytest.mark.parametrize("lang", ["en", "da", "nb"])
@pytest.mark.parametrize("seed", range(3))
def test_fast_path_equals_flask(app, fast, lang, seed):
    bank = app.extensions["selfassess_catalog"].get("go-international")
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    response = store.create_response(db, bank, lang)
    rng = random.Random(seed)
    store.save_answers(db, response, random_answers(bank, rng, rng.random()), page=1)
    store.set_organisation(db, response, "Ål & <Co>")
    for page in bank_pages(bank):
        path = f"/r/{response.token}/page/{page.number}"
        # A first visit: Flask compiles the page and starts a session.
        status, headers, body = call(fast.flask, path)
        assert status == "200 OK"
        cookie = session_cookie(headers)
        assert fast.serve(EnvironBuilder(path=path).get_environ(), response.token, page.number) is not None

        # In a session: the same bytes either way.
        assert call(fast, path, cookie) == call(fast.flask, path, cookie)

        # Without a cookie both start a session; only the random CSRF secret differs.
        fast_status, fast_headers, fast_body = call(fast, path)
        assert fast_status == status
        assert without_cookie_value(fast_headers) == without_cookie_value(headers)
        assert CSRF_RE.sub("csrf", fast_body.decode()) == CSRF_RE.sub("csrf", body.decode())


def test_session_started_by_the_fast_path_saves_answers(app, client, fast):
    respondent = Respondent(client)
    path = f"/r/{respondent.token}/page/2"
    client.get(path)  # compiled by Flask
    status, headers, body = call(fast, path)
    assert status == "200 OK"
    cookie = session_cookie(headers)
    csrf = CSRF_RE.search(body.decode()).group(1)  # type: ignore[union-attr]
    fresh = app.test_client()
    fresh.set_cookie(*cookie.split("=", 1))
    saved = fresh.post(path, data={"csrf_token": csrf, "action": "next", **form_values({"strategy_written": 4})})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert store.load_answers(store.connect(app.config["SELFASSESS_DATABASE"]), 1)["strategy_written"] == 4
    # A forged cookie is not trusted: a new session, as Flask would start.
    forged = cookie[:-3] + ("aaa" if not cookie.endswith("aaa") else "bbb")
    status, headers, _ = call(fast, path, forged)
    assert status == "200 OK" and session_cookie(headers) != forged


def test_everything_else_goes_to_flask(app, client, fast):
    respondent = Respondent(client)
    path = f"/r/{respondent.token}/page/1"
    client.get(path)
    environ = EnvironBuilder(path=path).get_environ()
    assert fast.serve(environ, respondent.token, 1) is not None
    assert fast.serve(environ, "no-such-token-at-all", 1) is None
    assert fast.serve(environ, respondent.token, 99) is None
    assert fast.serve(environ, respondent.token, 7) is None  # not compiled yet
    # Through the whole app, those answer as the Flask views do.
    assert client.get("/r/no-such-token-at-all/page/1").status_code == 404
    assert client.get(f"/r/{respondent.token}/page/99").status_code == 404
    assert "There is no assessment at this address" in client.get("/r/nope/page/1").get_data(as_text=True)

    # A permanent session (a facilitator's) is refreshed by Flask on every request.
    with client.session_transaction() as session:
        session.permanent = True
    cookie = f"session={client.get_cookie('session').value}"
    assert fast.serve(EnvironBuilder(path=path, headers={"Cookie": cookie}).get_environ(), respondent.token, 1) is None

    # A submitted response: 409 from Flask.
    db = store.connect(app.config["SELFASSESS_DATABASE"])
    db.conn.execute("UPDATE responses SET status = 'submitted' WHERE token = ?", [respondent.token])
    db.conn.commit()
    assert fast.serve(environ, respondent.token, 1) is None
    assert client.get(path).status_code == 409


def test_debug_mode_leaves_pages_to_flask(app, client, fast):
    respondent = Respondent(client)
    path = f"/r/{respondent.token}/page/1"
    client.get(path)
    calls = []
    real_serve = fast.serve
    fast.serve = lambda *args: calls.append(args) or real_serve(*args)  # type: ignore[method-assign]
    assert client.get(path).status_code == 200
    assert client.get(path + "?x=1").status_code == 200  # a query string: Flask's
    assert len(calls) == 1
    app.debug = True
    assert client.get(path).status_code == 200
    assert len(calls) == 1
