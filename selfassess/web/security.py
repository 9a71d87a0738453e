"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, abort, request

# No inline script or style anywhere: pages load /static files only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # Response tokens live in URLs: never send them to another site.
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]


def add_headers(response: Response) -> Response:
    # No view sets these, so add them without looking (this runs on every response).
    response.headers.extend(HEADERS)
    # Pages and data downloads (report.json/.csv, the API, exports) hold answers and scores:
    # no cache keeps them. Static files set their own caching and keep it.
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def refuse_nameless_fields() -> None:
    """Answer 400 to a form with a field that has no name (a multipart part without one).

    Flask-WTF's CSRF check fails on such a field with an AttributeError; this runs first.
    """
    forms = ("multipart/form-data", "application/x-www-form-urlencoded")
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.mimetype not in forms:
        return  # parse no other body here
    if any(not isinstance(key, str) for key in request.form):
        abort(400)


def init_app(app: Flask) -> None:
    """Install the headers, and the form check that must run before CSRFProtect's (so before ``csrf.init_app``)."""
    app.before_request(refuse_nameless_fields)
    app.after_request(add_headers)
