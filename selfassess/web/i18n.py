"""Pick the interface language per request and give templates ``_()`` and ``ngettext()``."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, session

from selfassess import i18n
from selfassess.i18n import INTERFACE_LANGUAGES


def current_language() -> str:
    """Return the language of this request: set by the page, else chosen, else the browser's."""
    lang = g.get("lang")
    if lang:
        return str(lang)
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in INTERFACE_LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(INTERFACE_LANGUAGES) or "en"


def _(message: str, /, **variables: Any) -> str:
    """Translate an interface string into the current language."""
    return i18n.gettext(current_language(), message, **variables)


def ngettext(singular: str, plural: str, n: int, /, **variables: Any) -> str:
    """Translate an interface string that depends on a number."""
    return i18n.ngettext(current_language(), singular, plural, n, **variables)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=_, ngettext=ngettext, current_language=current_language, language_name=i18n.language_name
    )
