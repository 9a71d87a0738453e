"""Rate limits per client address on the anonymous writes and on logging in (Flask-Limiter)."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many
from limits.errors import ConfigurationError

from selfassess.settings import SettingError
from selfassess.web.errors import render_error
from selfassess.web.i18n import _, ngettext

# Each one writes a new draft for anybody: they share one budget per address, so that
# spreading the requests over the three routes buys an abuser nothing.
ANONYMOUS_WRITES = (
    "respond.start", "respond.copy", "join.join", "coordinate.join", "coordinate.respond_as", "coordinate.start_again",
)  # fmt: skip
# Tighter: a facilitator logs in a few times a day; accounts.log_in also locks an account
# after repeated wrong passwords, this stops one address trying many accounts.
LOGIN = "facilitate.login"
LOGIN_LIMIT = "10 per minute;100 per hour"
EXTENSION = "selfassess_limiter"
# E-mail sent to an address that anybody types: few per client address, and few per draft
# or per typed address, so that these forms cannot be used to fill someone's inbox.
ANONYMOUS_MAIL = ("respond.send_link", "passwords.forgot")
MAIL_LIMIT = "5 per minute;20 per hour;50 per day"
MAIL_TARGET_LIMIT = "3 per hour;10 per day"
# A facilitator's paste reaches up to 500 addresses: a few sends an hour is plenty.
COHORT_MAIL = "facilitate.cohort_invitations"
COHORT_MAIL_LIMIT = "10 per hour;30 per day"


def client_address() -> str:
    """The key of a client: its address (behind trusted proxies, ProxyFix has set it), an IPv6 one by /64.

    An IPv6 subscriber is given a whole /64 and can pick a new address in it per request.
    """
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _checked(name: str, value: str) -> str:
    """Return the limit *value* of setting *name*, or stop the start with what to write instead."""
    try:
        if parse_many(value):
            return value
    except ValueError:
        pass
    raise SettingError(
        f"{name} is {value!r}, which is not a rate limit; write it as '60 per minute;300 per hour'"
        " (amounts per second, minute, hour or day, separated by ';')"
    )


def mail_target() -> str:
    """The key of an e-mail's target: the draft whose link is sent, else the address typed (hashed, never kept)."""
    token = (request.view_args or {}).get("token")
    target = f"draft:{token}" if token else "to:" + request.form.get("email", "").strip().lower()
    return hashlib.sha256(target.encode()).hexdigest()[:32]


def _limiter(app: Flask) -> Limiter:
    uri = str(app.config["SELFASSESS_RATE_LIMIT_STORAGE"])
    try:
        # If a shared storage (Redis) goes away, each process goes on counting in memory
        # rather than refusing every respondent.
        limiter = Limiter(client_address, storage_uri=uri, in_memory_fallback_enabled=True)
        limiter.init_app(app)
    except ConfigurationError as exc:
        raise SettingError(
            f"SELFASSESS_RATE_LIMIT_STORAGE is {uri!r}, which cannot be used ({exc}); use memory:// for one"
            " server, or a shared storage such as redis://host:6379 (with the redis package installed) for several"
        ) from None
    return limiter


def _wrap(app: Flask, endpoints: Iterable[str], decorate: Callable[[Any], Any]) -> None:
    # The views are registered by now; their limits are kept here, by endpoint, not in the views.
    for endpoint in endpoints:
        app.view_functions[endpoint] = decorate(app.view_functions[endpoint])


def try_again(seconds: int) -> str:
    """Say in words when to try again: in seconds, minutes or hours, rounded up."""
    if seconds < 60:
        return ngettext("Please try again in %(num)d second.", "Please try again in %(num)d seconds.", seconds)
    if seconds < 90 * 60:
        minutes = math.ceil(seconds / 60)
        return ngettext("Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes)
    hours = math.ceil(seconds / 3600)
    return ngettext("Please try again in %(num)d hour.", "Please try again in %(num)d hours.", hours)


def too_many(exc: RateLimitExceeded) -> Any:
    """Answer a refused request with the error page (or JSON) and a Retry-After header."""
    breached = current_app.extensions[EXTENSION].current_limit
    # window[0]: when the breached window ends (reset_at adds a second of margin to it).
    seconds = max(1, math.ceil(breached.window[0] - time.time())) if breached else 60
    body, status = render_error(429, f"{exc.description} {try_again(seconds)}")
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Limit the anonymous writes and logins of each address; call it after the blueprints are registered."""
    limiter = _limiter(app)
    app.extensions[EXTENSION] = limiter
    drafts = limiter.shared_limit(
        _checked("SELFASSESS_RATE_LIMIT", app.config["SELFASSESS_RATE_LIMIT"]),
        scope="anonymous-writes",
        methods=["POST"],
        error_message=lambda: _(
            "Very many assessments were started from your network in a short time, so this site is not starting more for now. Answers already saved are safe."
        ),
    )
    _wrap(app, ANONYMOUS_WRITES, drafts)
    logins = limiter.limit(
        LOGIN_LIMIT,
        methods=["POST"],
        error_message=lambda: _("There were too many login attempts from your network."),
    )
    _wrap(app, [LOGIN], logins)

    def mail_message() -> str:
        return _("Very many e-mails were asked for from your network or for this address in a short time.")

    mails = limiter.shared_limit(MAIL_LIMIT, scope="anonymous-mail", methods=["POST"], error_message=mail_message)
    per_target = limiter.limit(MAIL_TARGET_LIMIT, key_func=mail_target, methods=["POST"], error_message=mail_message)
    _wrap(app, ANONYMOUS_MAIL, lambda view: mails(per_target(view)))
    _wrap(app, [COHORT_MAIL], limiter.limit(COHORT_MAIL_LIMIT, methods=["POST"], error_message=mail_message))
    app.register_error_handler(RateLimitExceeded, too_many)
