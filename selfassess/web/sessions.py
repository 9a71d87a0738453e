"""Flask's signed-cookie sessions and Flask-WTF's CSRF tokens, with their HMAC work cached.

Every page view checks the session cookie's signature and signs a CSRF token: two
HMAC derivations that cost more than the page itself. A respondent sends the same
cookie many times in a row, so a verified cookie is remembered (its age is still
checked on every use), and a signed CSRF token is reused for a few minutes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

CACHE_SIZE = 4096
CSRF_REUSE_SECONDS = 300


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, remembering recently verified cookies."""

    def __init__(self) -> None:
        self._verified: OrderedDict[tuple[str, str], tuple[dict[str, Any], float]] = OrderedDict()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (str(app.secret_key), value)
        cached = self._verified.get(key)
        if cached is None:
            # Building the serializer is itself costly (it test-serialises), so only on a miss.
            serializer = self.get_signing_serializer(app)
            assert serializer is not None
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except Exception:  # a bad or expired signature: start a new session, as Flask does
                return self.session_class()
            cached = (data, signed_at.timestamp())
            self._verified[key] = cached
            if len(self._verified) > CACHE_SIZE:
                self._verified.popitem(last=False)
        data, signed_at = cached
        if time.time() - signed_at > max_age:
            self._verified.pop(key, None)
            return self.session_class()
        return self.session_class(dict(data))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Most requests leave the session as it was: then only the Vary header is due,
        # without Flask's seven cookie-setting look-ups.
        if not self.should_set_cookie(app, session) and (session or not session.modified):
            if session.accessed and "Vary" not in response.headers:
                response.headers.add("Vary", "Cookie")
            return
        super().save_session(app, session, response)


_signed_tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()


def csrf_token() -> str:
    """Return a signed CSRF token for this session, reusing one signed in the last minutes."""
    raw = session.get("csrf_token")
    if raw is not None:
        cached = _signed_tokens.get(raw)
        if cached is not None and time.time() - cached[1] < CSRF_REUSE_SECONDS:
            return cached[0]
    token = str(generate_csrf())
    raw = session.get("csrf_token")
    if raw is not None and raw not in _signed_tokens:
        _signed_tokens[raw] = (token, time.time())
        if len(_signed_tokens) > CACHE_SIZE:
            _signed_tokens.popitem(last=False)
    return token


_verified_tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()


def check_csrf(token: str | None) -> bool:
    """Return True when *token* is this session's valid CSRF token (Flask-WTF's check, remembered)."""
    if not token:
        return False
    raw = session.get("csrf_token")
    cached = _verified_tokens.get(token)
    if cached is not None and cached[0] == raw and time.time() - cached[1] < CSRF_REUSE_SECONDS:
        return True
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    _verified_tokens[token] = (str(raw), time.time())
    if len(_verified_tokens) > CACHE_SIZE:
        _verified_tokens.popitem(last=False)
    return True


def init_app(app: Flask) -> None:
    app.session_interface = CachedCookieSessionInterface()
    app.jinja_env.globals["csrf_token"] = csrf_token
