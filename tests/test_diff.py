"""`selfassess diff` and `selfassess check --db`: what changed between versions, and what it breaks."""

from __future__ import annotations

import pytest

from selfassess.bank.diff import diff
from selfassess.bank.loader import load_text
from tests.conftest import FIXTURES, V1_BANKS

TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Tiny", "title: Tiny bank", "[wording] bank: title reworded (en)"),
        ("{id: sc, type: scale, scale: agree5, weight: 2,", "{id: sc, type: scale, scale: agree5, weight: 3,", "[scoring] question 'sc': weight 2.0 → 3.0"),
        ("{value: some, score: 1, label: Some}", "{value: some, score: 2, label: Some}", "[scoring] question 'ch': score of option 'some' 1.0 → 2.0"),
        ("{value: some, score: 1, label: Some}", "{value: some, score: 1, label: A little}", "[wording] question 'ch': label of option 'some' reworded"),
        ("{id: yn, type: yesno, text: Yes or no}", "{id: yn, type: yesno, text: Yes or no?}", "[wording] question 'yn': text reworded (en)"),
        ("    - {id: established, min: 65, label: Established}", "    - {id: established, min: 70, label: Established}", "[scoring] level 'established': min 65.0 → 70.0"),
        ("  - id: a\n    title: All types\n    weight: 2", "  - id: a\n    title: All types\n    weight: 1", "[scoring] dimension 'a': weight 2.0 → 1.0"),
        ("      established: Keep going.", "      established: Keep it up.", "[wording] dimension 'a': advice changed"),
        ("score: {from: 50, to: 90}", "score: {from: 40, to: 90}", "[scoring] question 'nu': score.from 50.0 → 40.0"),
        ("          - {value: bad, score: -1, label: A bad practice}\n", "", "[scoring] question 'mu': option 'bad' removed"),
    ],
)  # fmt: skip
def test_each_kind_of_change(old, new, expected):
    assert old in TINY
    before = load_text(TINY, "old.yaml")
    after = load_text(TINY.replace(old, new, 1), "new.yaml")
    assert [str(c) for c in diff(before, after)] == [expected]


def test_removed_and_added_dimension(write_bank, run_cli, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(TINY, encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(
        TINY.replace("  - id: c\n    title: Lower is better", "  - id: c2\n    title: Lower is better"),
        encoding="utf-8",
    )
    result = run_cli("diff", str(old), str(new))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "[scoring] dimension 'c': removed (responses to the old version lose this axis)" in lines
    assert "[scoring] dimension 'c2': added" in lines
    assert lines[-1].endswith("scoring-relevant")


def test_no_changes(run_cli):
    result = run_cli("diff", str(FIXTURES / "tiny.yaml"), str(FIXTURES / "tiny.yaml"))
    assert result.stdout == "no changes\n"


def test_check_and_diff_against_the_database(tmp_path, database, run_cli):
    import shutil

    from selfassess import store
    from selfassess.bank.loader import load_bank

    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(V1_BANKS / "solity.yaml", banks)
    db_path = database
    db = store.connect(db_path)
    store.create_response(db, load_bank(banks / "solity.yaml"), "en")  # keeps the snapshot
    db.conn.close()
    path = banks / "solity.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - id: wellbeing\n", "  - id: well_being\n"), encoding="utf-8"
    )
    result = run_cli("check", str(banks), "--db", str(db_path))
    assert result.exit_code == 0
    assert (
        f"{path}:1:1: warning: dimension 'wellbeing' of the stored version 2026.1 is gone, so existing responses cannot "
        "be compared with new ones on it; keep the dimension id, or give the bank a new id"
    ) in result.stdout
    compared = run_cli("diff", str(path), "--db", str(db_path))
    assert "[scoring] dimension 'wellbeing': removed (responses to the old version lose this axis)" in compared.stdout


def test_roles_and_who_answers_what_are_in_the_diff():
    roles = (FIXTURES / "roles.yaml").read_text(encoding="utf-8")
    fewer = roles.replace("min_respondents: 3}", "min_respondents: 5}").replace(
        "roles: [leaders, staff]\n", "roles: [leaders]\n", 1
    )
    lines = [str(c) for c in diff(load_text(roles, "old.yaml"), load_text(fewer, "new.yaml"))]
    assert "[scoring] role 'learners': min_respondents 3 → 5" in lines
    assert "[scoring] dimension 'strategy': roles ['leaders', 'staff'] → ['leaders']" in lines


def test_the_diff_is_in_bank_order_whatever_the_hash_seed():
    import os
    import subprocess
    import sys

    old, new = (
        str(V1_BANKS / "go-international.yaml"),
        str(FIXTURES.parent.parent / "questionnaires" / "go-international.yaml"),
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "selfassess", "diff", old, new],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert len(outputs) == 1
    assert "[scoring] role 'learners': added (at least 5, weight 1)" in outputs.pop()
