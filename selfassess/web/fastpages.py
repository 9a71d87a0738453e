"""Question pages served without Flask's per-request machinery.

Respondents fetch a question page after every save, so it is the app's busiest
request, and Flask spends more on one (request context, routing, hooks, session,
response object) than filling the page costs. This WSGI middleware serves the common
case of ``GET /r/<token>/page/<n>`` itself, from the same parts the Flask view uses:
the session cookie checked by the app's session interface, the CSRF token made by
:mod:`selfassess.web.sessions`, the page filled by :func:`respond.page_slots` into the
compiled page, and the headers of :mod:`selfassess.web.security`.

Everything else goes to Flask, which answers it as before: an unknown token, a
submitted response, a page number out of range, a bank version kept only as a
snapshot, a page not compiled yet, a session that Flask would have to re-sign, a
query string, a configured SERVER_NAME, debug mode, and any error here. A test
compares the two paths' status, headers and bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import parse_cookie

from selfassess import store
from selfassess.bank.catalog import Catalog
from selfassess.bank.pages import bank_pages
from selfassess.web import respond, security
from selfassess.web.db import connection
from selfassess.web.sessions import CachedCookieSessionInterface, new_raw_token, signed_csrf

PAGE_PATH = re.compile(r"/r/([A-Za-z0-9_-]+)/page/([1-9][0-9]{0,3})")

StartResponse = Callable[..., Any]


class FastQuestionPages:
    """Wrap ``app.wsgi_app``: answer plain GETs of question pages directly, pass on the rest."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.flask = app.wsgi_app
        # The headers in the order Flask's own response carries them.
        self.head = [("Content-Type", "text/html; charset=utf-8")]
        self.tail = [*security.HEADERS, ("Cache-Control", "no-store"), ("Vary", "Cookie")]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING") and not self.app.debug:
            match = PAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match:
                try:
                    served = self.serve(environ, match[1], int(match[2]))
                except Exception:  # Flask serves the page instead, and reports what goes wrong there
                    self.app.logger.exception("fast path of %s failed; Flask serves it", environ.get("PATH_INFO"))
                    served = None
                if served is not None:
                    headers, body = served
                    start_response("200 OK", headers)
                    return [body]
        return self.flask(environ, start_response)

    def serve(self, environ: dict[str, Any], token: str, number: int) -> tuple[list[tuple[str, str]], bytes] | None:
        """Return the headers and body of the page, or ``None`` to leave the request to Flask."""
        app = self.app
        interface = app.session_interface
        if not isinstance(interface, CachedCookieSessionInterface) or not app.secret_key:
            return None
        if app.config.get("SERVER_NAME"):  # Flask checks the Host against it: let it
            return None
        db = connection(app.config["SELFASSESS_DATABASE"])
        response = store.get_response(db, token)
        if response is None or response.submitted:
            return None
        catalog: Catalog = app.extensions["selfassess_catalog"]
        bank = catalog.get(response.bank_id)
        if bank is None or bank.content_hash != response.bank_hash:
            return None
        pages = bank_pages(bank)
        if number > len(pages):
            return None
        compiled = respond.ready_compiled_page(bank, number, response.language)
        if compiled is None:
            return None

        name = interface.get_cookie_name(app)
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(name)
        data = interface.load_cookie(app, cookie) or {}
        set_cookie = []
        raw = data.get("csrf_token")
        if not isinstance(raw, str) or data.get("_permanent"):
            if data:  # Flask adds to this session, or refreshes a permanent one: let it
                return None
            raw = new_raw_token()  # a first visit, or a cookie no longer valid: a new session
            set_cookie = [("Set-Cookie", interface.cookie_header(app, {"csrf_token": raw}))]

        answers = store.load_answers(db, response.id)
        slots = respond.page_slots(db, response, bank, pages[number - 1], answers, signed_csrf(app, raw))
        body = compiled.render(slots).encode()
        headers = [*self.head, ("Content-Length", str(len(body))), *self.tail, *set_cookie]
        return headers, body


def init_app(app: Flask) -> None:
    app.wsgi_app = FastQuestionPages(app)  # type: ignore[method-assign]
