"""Friendly error pages: a sentence that says what went wrong and what to do, never a traceback."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from selfassess.web.i18n import _


class HttpError(Exception):
    """Stop a request with *status* and a message for the person in front of the screen."""

    def __init__(self, status: int, message: str, **context: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.context = context


def titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        404: _("Page not found"),
        405: _("This address does not accept that request"),
        401: _("Not logged in"),
        403: _("Not open"),
        409: _("Already submitted"),
        413: _("Too much data was sent"),
        422: _("Some answers need correcting"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


SECRET_IN_PATH = re.compile(r"(/r/|/join/|/cohorts/|/reset/|/c/|/i/)[^/]+")


def without_secrets(path: str) -> str:
    """The path with response tokens and invitation codes masked, for the log."""
    return SECRET_IN_PATH.sub(r"\1…", path)


def render_error(status: int, message: str, **context: Any) -> tuple[Any, int]:
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return {"error": message, "status": status}, status
    title = titles().get(status, _("Error"))
    return render_template("error.html", status=status, title=title, message=message, **context), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def http_error(exc: HttpError) -> tuple[Any, int]:
        return render_error(exc.status, exc.message, **exc.context)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Any, int]:
        return render_error(
            400,
            _(
                "The form had expired or came from another site, so nothing was changed. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host header not in SELFASSESS_ALLOWED_HOSTS: no URL can be built for it, so no page either.
        return "This site does not answer to that host name.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_exception(exc: HTTPException) -> tuple[Any, int]:
        messages = {
            404: _("There is nothing at this address. Check the link, or start from the home page."),
            405: _("Use the buttons on the page instead of typing this address."),
            413: _("The form sent more data than this site accepts."),
        }
        status = exc.code or 500
        return render_error(
            status, messages.get(status, _("The request could not be handled (%(name)s).", name=exc.name))
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Any, int]:
        app.logger.exception("unhandled error on %s %s", request.method, without_secrets(request.path))
        return render_error(
            500, _("The error has been logged. Your saved answers are safe; please try again in a moment.")
        )
