"""`check --db` warns when a bank in use changed but kept its version."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from selfassess import store
from selfassess.bank.loader import load_bank
from tests.conftest import V1_BANKS


@pytest.fixture
def stored(tmp_path, database):
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(V1_BANKS / "solity.yaml", banks)
    db_path = database
    db = store.connect(db_path)
    store.create_response(db, load_bank(banks / "solity.yaml"), "en")  # keeps the snapshot
    db.conn.close()
    return banks / "solity.yaml", db_path


def check(path, db_path):
    return subprocess.run(
        [sys.executable, "-m", "selfassess", "check", str(path), "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_reworded_texts_under_the_same_version_are_a_warning(stored):
    path, db_path = stored
    assert "warning" not in check(path, db_path).stdout  # the stored version itself
    version = load_bank(path).version
    first = load_bank(path).dimensions[0].questions[0]
    edit(path, first.text.get("en"), first.text.get("en") + " (reworded)")
    done = check(path, db_path)
    assert done.returncode == 0
    assert (
        f"{path}:1:1: warning: the texts changed but the version is still {version!r}; give the bank a new version "
        "so reports say which wording was answered"
    ) in done.stdout
    edit(path, f'version: "{version}"', 'version: "2099.1"')
    assert "the version is still" not in check(path, db_path).stdout


def test_a_scoring_change_under_the_same_version_says_so(stored):
    path, db_path = stored
    edit(path, "  - id: wellbeing\n", "  - id: well_being\n")
    assert "warning: the texts and the scoring changed but the version is still" in check(path, db_path).stdout


def test_a_changed_comment_alone_is_no_warning(stored):
    path, db_path = stored
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert "the version is still" not in check(path, db_path).stdout


def test_a_draft_translation_growing_under_the_same_version_is_no_warning(stored):
    path, db_path = stored
    title = load_bank(path).dimensions[0].title.get("en")
    edit(path, "languages: [en]", "languages: [en]\ndraft_languages: [sv]")
    edit(path, f"title: {title}\n", f"title: {{en: {title}, sv: Inkludering}}\n")
    done = check(path, db_path)
    assert done.returncode == 0, done.stdout
    assert "warning: the bank's title has no 'sv' translation yet" in done.stdout  # the draft's holes
    assert "the version is still" not in done.stdout
