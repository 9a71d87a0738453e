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

# Every setting, with its default (None: not set). The README's table describes each.
DEFAULTS: dict[str, Any] = {
    "SELFASSESS_QUESTIONNAIRES": None,  # the shipped banks
    # A SQLite file (default instance/selfassess.db), or a PostgreSQL URL: postgresql://user:pass@host/db
    "SELFASSESS_DATABASE": None,
    # PostgreSQL only: connections each app process keeps open at most (one per busy worker thread).
    "SELFASSESS_DB_POOL_SIZE": 4,
    "SELFASSESS_SECRET_KEY": None,  # generated into instance/secret_key
    "SELFASSESS_MIN_PEERS": 5,
    # Links in pages and e-mails: built from this base URL, e.g. https://selfassess.example.org
    "SELFASSESS_BASE_URL": None,
    # Host names the app answers to (Flask's TRUSTED_HOSTS), comma-separated; the base URL's host is added.
    "SELFASSESS_ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]",
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed (Werkzeug's ProxyFix).
    "SELFASSESS_TRUSTED_PROXIES": 0,
    # Session cookies only over HTTPS; `selfassess run` and --debug turn it off for plain-HTTP local use.
    "SELFASSESS_SECURE_COOKIES": True,
    # A facilitator's login ends after this many idle minutes, and in any case after this many hours.
    "SELFASSESS_LOGIN_IDLE_MINUTES": 120,
    "SELFASSESS_LOGIN_HOURS": 10,
    # Anonymous writes per client address (Flask-Limiter's notation), and where the counters live.
    # One budget for starting, copying and joining. Two classes of 30 behind one school address
    # starting in the same minute, a few of them twice, fit in 60 a minute; a school day of
    # classes fits in 300 an hour and 1000 a day. An abuser gets at most 1000 drafts a day per
    # address (about 16 MB at the largest copies) instead of 5 MB a second.
    "SELFASSESS_RATE_LIMIT": "60 per minute;300 per hour;1000 per day",
    "SELFASSESS_RATE_LIMIT_STORAGE": "memory://",
    # Drafts nobody touched for this many days are deleted (empty drafts after one day).
    "SELFASSESS_DRAFT_DAYS": 180,
    # Peer figures are differentially private releases (docs/privacy.md). ε spent by one release
    # of one peer group: 2 keeps medians within ±10 points for 90 % of releases from 100 peers
    # (tests/benchmarks/bench_privacy.py); smaller is more private and noisier.
    "SELFASSESS_PRIVACY_EPSILON": 2.0,
    # A group's next release: once its membership changed by max(5, 10 %), or after this many
    # hours if anything changed at all; never per submission.
    "SELFASSESS_RELEASE_HOURS": 24,
    # The most ε one organisation may spend per bank in a rolling year, over every group it is in
    # at once (everyone, one per profile question, its cohort): caps each group's releases a year.
    "SELFASSESS_PRIVACY_YEARLY_EPSILON": 60.0,
    # E-mail (resume links, cohort invitations and reminders, password resets) goes through this
    # SMTP server, e.g. smtp://user:pass@host:587?starttls=1, smtps://user:pass@host or
    # smtp://127.0.0.1:25. None: no e-mail; the forms that send it are not shown.
    "SELFASSESS_SMTP_URL": None,
    # The sender of those e-mails; None: selfassess@ the base URL's host (else localhost).
    "SELFASSESS_MAIL_FROM": None,
}
NAMES = tuple(DEFAULTS)
INTEGERS = ("SELFASSESS_MIN_PEERS", "SELFASSESS_DB_POOL_SIZE", "SELFASSESS_TRUSTED_PROXIES", "SELFASSESS_LOGIN_IDLE_MINUTES",
            "SELFASSESS_LOGIN_HOURS", "SELFASSESS_DRAFT_DAYS", "SELFASSESS_RELEASE_HOURS")  # fmt: skip
FLOATS = ("SELFASSESS_PRIVACY_EPSILON", "SELFASSESS_PRIVACY_YEARLY_EPSILON")


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
        DEFAULTS,
        SELFASSESS_QUESTIONNAIRES=str(questionnaires_dir()),
        SELFASSESS_DATABASE=str(folder / "selfassess.db"),
    )
    config.from_pyfile("config.py", silent=True)
    config.update({name: os.environ[name] for name in NAMES if name in os.environ})
    config.update(overrides or {})
    for name in INTEGERS:
        config[name] = _integer(name, config[name])
    config["SELFASSESS_SECURE_COOKIES"] = _flag(config["SELFASSESS_SECURE_COOKIES"])
    for name in FLOATS:
        config[name] = _positive(name, config[name])
    return config


class SettingError(ValueError):
    """A setting has a value it cannot take; the message names it and what it takes."""


def _integer(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise SettingError(f"{name} must be a number greater than 0, not {value!r}")
    return number


def _flag(value: Any) -> bool:
    """A yes/no setting: true, 1, yes, on (any case) are yes; false, 0, no, off are no."""
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


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
