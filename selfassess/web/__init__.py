"""The web app: ``create_app()`` builds it; blueprints per audience live beside this file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from selfassess import settings
from selfassess.bank.catalog import Catalog
from selfassess.bank.loader import BankError, Problem
from selfassess.resources import PACKAGE_DIR, templates_dir

csrf = CSRFProtect()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app; *config* overrides the defaults, ``instance/config.py`` and the SELFASSESS_* environment."""
    instance = settings.instance_path()
    app = Flask(
        "selfassess",
        instance_path=str(instance),
        template_folder=str(templates_dir()),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.from_mapping(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a long sitting; an expired token re-shows the page, answers kept
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.config.update(settings.load(config, instance))
    app.config["SECRET_KEY"] = settings.secret_key(app.config, instance)
    given = config or {}
    if "SESSION_COOKIE_SECURE" not in given:
        app.config["SESSION_COOKIE_SECURE"] = app.config["SELFASSESS_SECURE_COOKIES"]
    if "PERMANENT_SESSION_LIFETIME" not in given:
        # A facilitator's login lasts while used (the idle limit); login_required also ends
        # it SELFASSESS_LOGIN_HOURS after logging in, however much it is used.
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=app.config["SELFASSESS_LOGIN_IDLE_MINUTES"])
    proxies = app.config["SELFASSESS_TRUSTED_PROXIES"]
    if proxies:
        # Behind that many reverse proxies, the client's address, scheme and host are in
        # their X-Forwarded-* headers (Werkzeug's documented middleware).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    folder = Path(app.config["SELFASSESS_QUESTIONNAIRES"])
    if not folder.is_dir():
        raise BankError([Problem(str(folder), 1, 1, "no such folder of question banks; set SELFASSESS_QUESTIONNAIRES")])
    app.extensions["selfassess_catalog"] = Catalog.load(folder)

    from selfassess.web import (
        api,
        coordinate,
        db,
        errors,
        facilitate,
        i18n,
        limits,
        links,
        mailing,
        passwords,
        report,
        respond,
        security,
        staticfiles,
    )

    links.init_app(app)
    db.init_app(app)
    security.init_app(app)  # before CSRFProtect: its form check runs first
    csrf.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(coordinate.bp)
    facilitate.init_app(app)
    mailing.init_app(app)
    passwords.init_app(app)
    limits.init_app(app)  # last: it wraps views of the blueprints registered above
    staticfiles.init_app(app)
    return app
