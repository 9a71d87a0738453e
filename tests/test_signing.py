"""Our quicker serializers write what Flask and Flask-WTF read, and read what they write."""

from __future__ import annotations

import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from selfassess.web.sessions import CachedCookieSessionInterface, csrf_token


@pytest.mark.parametrize("data", [{"csrf_token": "ab" * 20}, {"lang": "da", "long": "x" * 500}, {}])
def test_session_cookies_match_flask(app, data):
    ours = CachedCookieSessionInterface().get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    assert ours is not None and flasks is not None
    assert flasks.loads(ours.dumps(data)) == data
    assert ours.loads(flasks.dumps(data)) == data
    tampered = ours.dumps(data)[:-2] + "xx"
    with pytest.raises(Exception, match="Signature"):
        flasks.loads(tampered)


def test_csrf_tokens_match_flask_wtf(app):
    with app.test_request_context("/"):
        token = csrf_token()
        assert session["csrf_token"]
        validate_csrf(token)  # Flask-WTF accepts ours
        assert generate_csrf() == token  # and its forms use the same token in this request
    with app.test_request_context("/"):
        session["csrf_token"] = "cd" * 20
        with pytest.raises(ValidationError):
            validate_csrf(token)  # bound to its session


def test_cookie_header_matches_flask(app, client):
    """The Set-Cookie of a session started by the fast path has Flask's attributes."""
    flask_header = client.get("/").headers["Set-Cookie"]  # the home page's forms start a session
    ours = app.session_interface.cookie_header(app, {"csrf_token": "ab" * 20})  # type: ignore[attr-defined]
    assert ours.split(";", 1)[1] == flask_header.split(";", 1)[1]
    assert "HttpOnly" in ours and "SameSite=Lax" in ours and "Path=/" in ours
