"""Every interface string has a Danish and a Norwegian Bokmål translation."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from selfassess.i18n import TRANSLATIONS_DIR, gettext
from tests.conftest import ROOT

CALL = re.compile(r"""\b(_|ngettext)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def interface_strings() -> set[str]:
    found = set()
    files = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("templates/**/*.txt"),  # e-mails' plain text
        *ROOT.glob("selfassess/web/*.py"),
        *ROOT.glob("selfassess/bank/questiontypes/*.py"),  # each type's form messages
    ]
    for path in files:
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(2)[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
    return found


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_every_string_is_translated(lang):
    with (TRANSLATIONS_DIR / f"{lang}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(interface_strings() - translated)
    assert not missing, f"{lang}.po lacks: {missing}"
    plurals = {m.id[1] for m in catalog if isinstance(m.id, tuple)}
    assert not (plurals & translated)


def test_placeholders_survive_translation():
    for lang in ("da", "nb"):
        assert gettext(lang, "Page %(k)d of %(n)d", k=3, n=10).count("3") == 1
        assert "10" in gettext(lang, "Enter a number from %(min)s to %(max)s.", min="0", max="10")
