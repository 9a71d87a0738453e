"""The web app: ``create_app()`` builds it; blueprints per audience live beside this file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from selfassess.bank.catalog import Catalog
from selfassess.bank.loader import BankError, Problem
from selfassess.resources import PACKAGE_DIR, questionnaires_dir, templates_dir

ENV_SETTINGS = ("SELFASSESS_QUESTIONNAIRES", "SELFASSESS_DATABASE", "SELFASSESS_SECRET_KEY", "SELFASSESS_MIN_PEERS")
csrf = CSRFProtect()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app; *config* overrides the defaults and the SELFASSESS_* environment."""
    app = Flask(
        "selfassess",
        instance_relative_config=True,
        template_folder=str(templates_dir()),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.from_mapping(
        SELFASSESS_QUESTIONNAIRES=str(questionnaires_dir()),
        SELFASSESS_DATABASE=os.path.join(app.instance_path, "selfassess.db"),
        SELFASSESS_MIN_PEERS=5,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a long sitting; an expired token re-shows the page, answers kept
        MAX_CONTENT_LENGTH=1024 * 1024,
        # Facilitator logins last a working day; respondents need no login at all.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update({k: os.environ[k] for k in ENV_SETTINGS if k in os.environ})
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = (
        app.config.get("SELFASSESS_SECRET_KEY") or app.config.get("SECRET_KEY") or _instance_secret(app)
    )

    folder = Path(app.config["SELFASSESS_QUESTIONNAIRES"])
    if not folder.is_dir():
        raise BankError([Problem(str(folder), 1, 1, "no such folder of question banks; set SELFASSESS_QUESTIONNAIRES")])
    app.extensions["selfassess_catalog"] = Catalog.load(folder)

    from selfassess.web import api, db, errors, facilitate, fastpages, i18n, report, respond, security, sessions

    db.init_app(app)
    csrf.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(api.bp)
    facilitate.init_app(app)
    fastpages.init_app(app)
    return app


def _instance_secret(app: Flask) -> str:
    """Return the secret key kept in the instance folder, generating it on first run."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        # Several workers may start at once: write a private file, then link it into place;
        # whoever links first wins and everyone reads the same key.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
