"""Links to send elsewhere (a resume link, an invitation): never built from what the client says its host is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link: on ``SELFASSESS_BASE_URL`` when set, else on the request's host, which Flask checked."""
    base = current_app.config.get("SELFASSESS_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def trusted_hosts(config: Any) -> list[str]:
    """Host names the app answers to: ``SELFASSESS_ALLOWED_HOSTS`` and the base URL's host."""
    hosts = [h.strip() for h in str(config.get("SELFASSESS_ALLOWED_HOSTS") or "").split(",") if h.strip()]
    base = config.get("SELFASSESS_BASE_URL")
    if base:
        host = urlsplit(str(base)).hostname
        if host:
            hosts.append(host)
    return hosts


def init_app(app: Flask) -> None:
    # Werkzeug answers 400 to any other Host header: links and redirects can only name these.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
