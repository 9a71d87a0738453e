"""Flask's signed-cookie sessions and Flask-WTF's CSRF tokens, with their HMAC work cached.

Every page view checks the session cookie's signature and signs a CSRF token: HMAC
work that costs more than the page itself. A respondent sends the same cookie many
times in a row, so a verified cookie is remembered (its age is still checked on every
use), and a signed CSRF token is reused for a few minutes. The serializers come from
:mod:`selfassess.web.signing`, so cookies and tokens keep Flask's and Flask-WTF's format.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_wtf.csrf import validate_csrf
from itsdangerous import URLSafeTimedSerializer
from werkzeug.http import dump_cookie
from wtforms.validators import ValidationError

from selfassess.web import csrf, signing

CACHE_SIZE = 4096
CSRF_REUSE_SECONDS = 300


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, remembering recently verified cookies."""

    digest_method = staticmethod(hashlib.sha1)  # Flask's wrapper around it is slower, same digests

    def __init__(self) -> None:
        self._verified: OrderedDict[tuple[str, str], tuple[dict[str, Any], float]] = OrderedDict()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]  # the current key last, as Flask does
        return signing.serializer(
            keys,
            self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        data = self.load_cookie(app, request.cookies.get(self.get_cookie_name(app)))
        return self.session_class() if data is None else self.session_class(data)

    def load_cookie(self, app: Flask, value: str | None) -> dict[str, Any] | None:
        """Return a copy of the session data in the cookie *value*; ``None`` if absent, forged or expired."""
        if not value:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (str(app.secret_key), value)
        cached = self._verified.get(key)
        if cached is None:
            serializer = self.get_signing_serializer(app)
            assert serializer is not None
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except Exception:  # a bad or expired signature: a new session, as Flask starts
                return None
            cached = (data, signed_at.timestamp())
            self._verified[key] = cached
            if len(self._verified) > CACHE_SIZE:
                self._verified.popitem(last=False)
        data, signed_at = cached
        if time.time() - signed_at > max_age:
            self._verified.pop(key, None)
            return None
        return dict(data)

    def cookie_header(self, app: Flask, data: dict[str, Any]) -> str:
        """Return the Set-Cookie value Flask would send for a new, not permanent session holding *data*."""
        serializer = self.get_signing_serializer(app)
        assert serializer is not None
        return dump_cookie(
            self.get_cookie_name(app),
            serializer.dumps(data),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Most requests leave the session as it was: then only the Vary header is due,
        # without Flask's seven cookie-setting look-ups.
        if not self.should_set_cookie(app, session) and (session or not session.modified):
            if session.accessed and "Vary" not in response.headers:
                response.headers.add("Vary", "Cookie")
            return
        super().save_session(app, session, response)


_signed_tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()


def new_raw_token() -> str:
    """A session's secret CSRF value, made as Flask-WTF makes it."""
    return hashlib.sha1(os.urandom(64)).hexdigest()


def signed_csrf(app: Flask, raw: str) -> str:
    """Return the signed CSRF token for the session value *raw*, reusing one signed in the last minutes."""
    cached = _signed_tokens.get(raw)
    if cached is not None and time.time() - cached[1] < CSRF_REUSE_SECONDS:
        return cached[0]
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    token = signing.serializer([secret], "wtf-csrf-token").dumps(raw)
    _signed_tokens[raw] = (token, time.time())
    if len(_signed_tokens) > CACHE_SIZE:
        _signed_tokens.popitem(last=False)
    return token


def csrf_token() -> str:
    """Return a signed CSRF token for this session, as Flask-WTF's ``generate_csrf`` makes it."""
    token = g.get("csrf_token")
    if token:
        return str(token)
    raw = session.get("csrf_token")
    if not isinstance(raw, str):
        raw = session["csrf_token"] = new_raw_token()
    token = g.csrf_token = signed_csrf(current_app, raw)  # g is where Flask-WTF's forms look
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


def protect_unsafe_methods() -> None:
    """Flask-WTF's CSRF check for POST and the like; a GET skips the exemption look-ups."""
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    """Install the sessions and CSRF checks (after ``csrf.init_app``)."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # protect_unsafe_methods calls it instead
    app.before_request(protect_unsafe_methods)
    app.session_interface = CachedCookieSessionInterface()
    app.jinja_env.globals["csrf_token"] = csrf_token
