"""Bank versions are snapshots: old reports keep their text, new responses take the new version."""

from __future__ import annotations

import random
import shutil

import pytest

from selfassess import store
from selfassess.bank.loader import load_text
from selfassess.bank.synthetic import random_answers
from selfassess.demo import create_demo_data
from selfassess.web import create_app
from tests.conftest import V1_BANKS, Respondent
from tests.test_take_flow import answer_all


@pytest.fixture
def folder(tmp_path):
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(V1_BANKS / "go-international.yaml", banks)
    shutil.copy(V1_BANKS / "bank.schema.json", banks)
    return banks


def make_app(folder, database):
    return create_app({"SELFASSESS_QUESTIONNAIRES": str(folder), "SELFASSESS_DATABASE": database, "SECRET_KEY": "t"})


def submit(app, seed):
    client = app.test_client()
    respondent = Respondent(client)
    bank = app.extensions["selfassess_catalog"].get("go-international")
    answer_all(respondent, bank, random_answers(bank, random.Random(seed), 0.5))
    respondent.submit()
    return respondent.token


def test_reports_survive_edits_and_deletion(folder, database):
    app = make_app(folder, database)
    old_tokens = [submit(app, seed) for seed in range(6)]
    path = folder / "go-international.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('version: "2026.1"', 'version: "2026.2"').replace(
            "{en: Strategy and leadership, da: Strategi og ledelse, nb: Strategi og ledelse}",
            "{en: Strategy and management, da: Strategi og styring, nb: Strategi og styring}",
        ),
        encoding="utf-8",
    )
    app = make_app(folder, database)  # restarted with the edited bank
    old = app.test_client().get(f"/r/{old_tokens[0]}/report").get_data(as_text=True)
    assert "Strategy and leadership" in old and "Strategy and management" not in old
    new_token = submit(app, 99)
    new = app.test_client().get(f"/r/{new_token}/report").get_data(as_text=True)
    assert "Strategy and management" in new
    db = store.connect(database)
    versions = {row[0] for row in db.conn.execute("SELECT bank_version FROM responses")}
    assert versions == {"2026.1", "2026.2"}
    # Peers across compatible versions: providers of the old version are the new one's peers,
    # and the report says so (with enough of them for released figures; little noise for the test).
    old_bank = load_text(store.snapshot(db, store.get_response(db, old_tokens[0]).bank_hash), "old")
    create_demo_data(database, [old_bank], 150, seed=5)
    app.config.update(SELFASSESS_PRIVACY_EPSILON=50.0, SELFASSESS_PRIVACY_YEARLY_EPSILON=10_000.0)
    new = app.test_client().get(f"/r/{new_token}/report").get_data(as_text=True)
    peers = app.test_client().get(f"/r/{new_token}/report.json").get_json()["peers"]
    assert peers["overall"] is not None
    assert "Some peers answered another version of the questionnaire" in new
    # The file deleted: the stored text still renders the old reports.
    path.unlink()
    (folder / "other.yaml").write_text(text.replace("id: go-international", "id: other"), encoding="utf-8")
    app = make_app(folder, database)
    assert "Strategy and leadership" in app.test_client().get(f"/r/{old_tokens[1]}/report").get_data(as_text=True)
