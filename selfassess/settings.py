"""Settings, for the web app and the command line alike.

Each setting comes, last one winning, from its default, ``instance/config.py``, the
``SELFASSESS_*`` environment variable of the same name, and what the caller passes
(``create_app(config)`` or a command's option such as ``--db``).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask.config import Config

from selfassess.resources import PACKAGE_DIR, questionnaires_dir

NAMES = ("SELFASSESS_QUESTIONNAIRES", "SELFASSESS_DATABASE", "SELFASSESS_SECRET_KEY", "SELFASSESS_MIN_PEERS")


def instance_path() -> Path:
    """The instance folder, where Flask would put it: beside a source checkout, or under the prefix when installed."""
    prefix = Path(sys.prefix).resolve()
    if prefix in PACKAGE_DIR.parents and "site-packages" in PACKAGE_DIR.parts:
        return prefix / "var" / "selfassess-instance"
    return PACKAGE_DIR.parent / "instance"


def load(overrides: Mapping[str, Any] | None = None, instance: Path | None = None) -> Config:
    """Return every setting, in a Flask ``Config`` (a dict that can also read ``config.py``)."""
    folder = instance or instance_path()
    config = Config(str(folder))
    config.from_mapping(
        SELFASSESS_QUESTIONNAIRES=str(questionnaires_dir()),
        SELFASSESS_DATABASE=str(folder / "selfassess.db"),
        SELFASSESS_MIN_PEERS=5,
    )
    config.from_pyfile("config.py", silent=True)
    config.update({name: os.environ[name] for name in NAMES if name in os.environ})
    config.update(overrides or {})
    config["SELFASSESS_MIN_PEERS"] = int(config["SELFASSESS_MIN_PEERS"])
    return config


def database(path: str | None = None) -> str:
    """The database to use: *path* if given (a command's ``--db``), else the setting."""
    return path or str(load()["SELFASSESS_DATABASE"])


def secret_key(config: Mapping[str, Any], instance: Path) -> str:
    """The key that signs sessions: the setting, else one kept in the instance folder, made on first use."""
    given = config.get("SELFASSESS_SECRET_KEY") or config.get("SECRET_KEY")
    if given:
        return str(given)
    path = instance / "secret_key"
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
