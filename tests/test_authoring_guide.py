"""The authors' guide's complete bank passes `selfassess check`."""

from __future__ import annotations

import re

from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")


def test_guide_bank_is_valid(tmp_path, run_cli):
    bank = re.search(r"```yaml\n(.*?)```", GUIDE, re.S).group(1)
    path = tmp_path / "mobility-basics.yaml"
    path.write_text(bank, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok: mobility-basics 2026.1, languages en, da, 2 dimensions, 5 scored questions\n"


def test_guide_names_every_question_type():
    for qtype in ("scale", "choice", "multi", "yesno", "number", "text"):
        assert f"type: {qtype}" in GUIDE
