"""The interface's own strings in English, Danish, Norwegian Bokmål and French.

Translations are gettext catalogues (``selfassess/translations/<lang>.po``), the files
translators know; Babel reads them at start, so nothing needs compiling.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
INTERFACE_LANGUAGES = ("en", "da", "nb", "fr")
LANGUAGE_NAMES = {
    "en": "English",
    "da": "Dansk",
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "sv": "Svenska",
    "de": "Deutsch",
    "fi": "Suomi",
    "fr": "Français",
}


@cache
def translations(lang: str) -> NullTranslations:
    """Return the gettext translations for *lang* (English, the source language, needs none)."""
    path = TRANSLATIONS_DIR / f"{lang}.po"
    if lang == "en" or not path.is_file():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(lang: str, message: str, /, **variables: Any) -> str:
    """Translate *message* into *lang* and fill in ``%(name)s`` *variables*."""
    text = translations(lang).ugettext(message)
    return text % variables if variables else text


def ngettext(lang: str, singular: str, plural: str, n: int, /, **variables: Any) -> str:
    """Translate a message that depends on the number *n*."""
    text = translations(lang).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def language_name(code: str) -> str:
    """Return a language's name in that language, for language switches."""
    return LANGUAGE_NAMES.get(code, code)
