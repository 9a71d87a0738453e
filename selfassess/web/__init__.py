"""The web app: ``create_app()`` builds it; blueprints per audience live beside this file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

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
        # Facilitator logins last a working day; respondents need no login at all.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    app.config.update(settings.load(config, instance))
    app.config["SECRET_KEY"] = settings.secret_key(app.config, instance)

    folder = Path(app.config["SELFASSESS_QUESTIONNAIRES"])
    if not folder.is_dir():
        raise BankError([Problem(str(folder), 1, 1, "no such folder of question banks; set SELFASSESS_QUESTIONNAIRES")])
    app.extensions["selfassess_catalog"] = Catalog.load(folder)

    from selfassess.web import api, db, errors, facilitate, i18n, limits, report, respond, security

    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(api.bp)
    facilitate.init_app(app)
    limits.init_app(app)  # last: it wraps views of the blueprints registered above
    return app
