"""Headers, cookies and pages without inline script."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Respondent


@pytest.fixture
def pages(client):
    """One URL of every kind of page."""
    respondent = Respondent(client)
    return {
        "home": "/",
        "page": f"/r/{respondent.token}/page/1",
        "review": f"/r/{respondent.token}/review",
        "saved": f"/r/{respondent.token}/saved",
        "error": "/r/unknown/page/1",
        "api": f"/api/responses/{respondent.token}",
    }


def test_headers_on_every_page(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, name
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_or_style(client, pages):
    for name, url in pages.items():
        if name == "api":
            continue
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name
        assert not re.search(r"\son\w+=", html), name  # no inline event handlers
        assert " style=" not in html, name


def test_session_cookie_flags(client):
    response = client.get("/?lang=da")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_are_not_cached(client, pages):
    assert client.get(pages["page"]).headers["Cache-Control"] == "no-store"
