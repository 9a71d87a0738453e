"""A profile answer of "don't know" or "not applicable" places a provider in no peer group of its own."""

from __future__ import annotations

from selfassess import assessments, peers, store
from selfassess.assessments import PageAnswers
from selfassess.bank.catalog import Catalog
from tests.conftest import MINIMAL_BANK


def test_dont_know_and_not_applicable_form_no_peer_group(tmp_path, database):
    folder = tmp_path / "banks"
    folder.mkdir()
    text = MINIMAL_BANK.replace(
        "    type: choice\n    text: {en: Country",
        "    type: choice\n    allow_dont_know: true\n    allow_na: true\n    text: {en: Country",
    )
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    catalog = Catalog.load(folder)
    bank = catalog.get("mini")
    db = store.connect(database)
    groups = {}
    for given in ("NO", "dk", "na"):
        response = assessments.start(db, bank, "en")
        found = assessments.open_by_token(db, catalog, response.token)
        assessments.save_page(db, found, 1, PageAnswers({"country": given}, organisation=f"School {given}"))
        groups[given] = peers.peer_groups(db, bank, store.get_response(db, response.token))
    assert groups == {"NO": ["all", "country"], "dk": ["all"], "na": ["all"]}
