"""E-mail from the views: whether it is on, messages rendered from templates/mail/ in a language, delivery."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template

from selfassess import accounts, mail
from selfassess.i18n import INTERFACE_LANGUAGES
from selfassess.web.errors import HttpError
from selfassess.web.i18n import _, current_language

EXTENSION = "selfassess_mail"
LANGUAGES = INTERFACE_LANGUAGES  # an e-mail's language: one the interface speaks
MAX_ADDRESSES = 500  # one paste; a larger cohort is invited in a few goes
ANGLE = re.compile(r"<([^<>]*)>\s*$")  # "Jane Doe <jane@example.org>", as mail programs copy addresses
SEPARATORS = re.compile(r"[,;\n\r]+")
log = logging.getLogger(__name__)


def enabled() -> bool:
    """Whether this site sends e-mail (``SELFASSESS_SMTP_URL`` is set)."""
    return current_app.extensions.get(EXTENSION) is not None


def required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 404 on a route that sends e-mail while the site sends none, for everyone alike."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not enabled():
            raise HttpError(404, _("There is nothing at this address. Check the link, or start from the home page."))
        return view(*args, **kwargs)

    return wrapped


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Speak *lang* inside the block: ``_()`` and the mail templates use it, then the page's language returns."""
    before = g.get("lang")
    g.lang = lang
    try:
        yield
    finally:
        if before is None:
            g.pop("lang", None)
        else:
            g.lang = before


def chosen_language(lang: str | None) -> str:
    """The language picked on a form, else the page's own."""
    return lang or current_language()


def compose(template: str, to: str, subject: str, **context: Any) -> mail.Mail:
    """Render ``mail/<template>.txt`` and ``.html`` in the current language into a mail to *to*."""
    return mail.Mail(
        to=to,
        subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", subject=subject, **context),
    )


def sender() -> str:
    """The From address: the setting, else selfassess@ the base URL's host."""
    given = current_app.config.get("SELFASSESS_MAIL_FROM")
    if given:
        return str(given)
    host = urlsplit(str(current_app.config.get("SELFASSESS_BASE_URL") or "")).hostname or "localhost"
    return f"selfassess@{host}"


def deliver(mails: Sequence[mail.Mail]) -> mail.Delivery:
    """Send *mails* now; a failure is logged without any address and returned."""
    done = mail.send(current_app.extensions[EXTENSION], sender(), mails)
    _log(done, len(mails))
    return done


def deliver_later(mails: Sequence[mail.Mail]) -> None:
    """Send *mails* in the background, so that how long the request takes tells nothing about who has an account."""
    server, from_ = current_app.extensions[EXTENSION], sender()
    threading.Thread(target=lambda: _log(mail.send(server, from_, mails), len(mails)), daemon=True).start()


def _log(done: mail.Delivery, count: int) -> None:
    # Counts and the server's trouble only: addresses are never logged.
    if done.error:
        log.warning("e-mail: %d of %d not sent: %s", len(done.unsent), count, done.error)
    if done.refused:
        log.warning("e-mail: the server refused %d of %d recipients", len(done.refused), count)


def address_problem(address: str) -> str | None:
    """Say what is wrong with one typed e-mail address, or None."""
    if len(address) > accounts.MAX_EMAIL:
        return _("This address is longer than e-mail addresses can be (%(max)d characters).", max=accounts.MAX_EMAIL)
    if not accounts.EMAIL.match(address) or any(c in address for c in '<>()[]\\,;:"'):
        return _("This is not an e-mail address. Write it like name@example.org.")
    return None


def read_addresses(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split pasted addresses (one a line, or separated by commas or semicolons); return the good and the refused.

    Each refused one comes with the reason; an address given twice is sent to once.
    """
    good: list[str] = []
    refused: list[tuple[str, str]] = []
    seen: set[str] = set()
    for piece in SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        inside = ANGLE.search(piece)
        address = inside.group(1).strip() if inside else piece
        problem = address_problem(address)
        if problem:
            refused.append((piece[:300], problem))
        elif address.lower() not in seen:
            seen.add(address.lower())
            good.append(address)
    return good, refused


def init_app(app: Flask) -> None:
    """Check ``SELFASSESS_SMTP_URL`` at start (a wrong one stops the app with what to write instead)."""
    url = app.config.get("SELFASSESS_SMTP_URL")
    app.extensions[EXTENSION] = mail.parse_url(str(url)) if url else None
    app.jinja_env.globals["mail_enabled"] = enabled
