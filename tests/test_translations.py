"""Translations round trip: export a CSV, edit it, import it; every other byte of the YAML stays."""

from __future__ import annotations

import csv
import difflib
import io

from selfassess.bank.loader import load_text
from tests.conftest import V1_BANKS

COMMENTED = """\
# A commented bank: the comments must survive the round trip.
id: round-trip
version: "1"   # quoted on purpose
title: {en: Round trip, da: Rundtur}
languages: [en, da]
scales:
  yes3:   # three steps
    - {value: 1, label: {en: No, da: Nej}}
    - {value: 2, label: {en: Partly}}
    - {value: 3, label: {en: Fully, da: Helt}}
rubric:
  levels:
    - {id: low, min: 0, label: {en: Low, da: Lav}}
    - {id: high, min: 50, label: {en: High, da: Høj}}
dimensions:
  - id: d1
    title:
      en: First dimension
      # no Danish yet
    questions:
      - id: q1
        type: scale
        scale: yes3
        text:
          en: Do you plan stays abroad?
          da: Planlægger I udlandsophold?
      - id: q2
        type: yesno
        text: {en: "Partners, in writing?", da: Partnere?}
    feedback:
      low: >-
        Start small,
        with one partner.
"""


def rows(table: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(table.lstrip("\ufeff"))))


def test_round_trip_changes_only_the_translated_texts(tmp_path, run_cli):
    bank = tmp_path / "bank.yaml"
    bank.write_text(COMMENTED, encoding="utf-8")
    status = run_cli("translations", "status", str(bank))
    assert status.stdout.splitlines() == ["en: 10 of 10 texts", "da: 7 of 10 texts (3 missing)"]
    exported = run_cli("translations", "export", str(bank), "--lang", "da")
    table = rows(exported.stdout)
    assert table[0] == ["key", "source", "translation"]
    assert ["scales/yes3/value=2/label", "Partly", ""] in table
    assert ["dimensions/d1/feedback/low", "Start small, with one partner.", ""] in table
    edited = {"scales/yes3/value=2/label": "Delvis", "dimensions/d1/title": "Første dimension",
              "dimensions/d1/questions/q2/text": "Partnere, skriftligt?", "dimensions/d1/feedback/low": "Start i det små: én partner.",
              "title": "Rundtur"}  # fmt: skip
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for key, source, translation in table:
        writer.writerow([key, source, edited.get(key, translation)])
    (tmp_path / "da.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    result = run_cli("translations", "import", str(bank), str(tmp_path / "da.csv"))
    assert result.exit_code == 0, result.output
    after = bank.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(COMMENTED.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-    - {value: 2, label: {en: Partly}}",
        "+    - {value: 2, label: {en: Partly, da: Delvis}}",
        "+      da: Første dimension",
        '-        text: {en: "Partners, in writing?", da: Partnere?}',
        '+        text: {en: "Partners, in writing?", da: "Partnere, skriftligt?"}',
        "-      low: >-",
        "-        Start small,",
        "-        with one partner.",
        '+      low: {en: "Start small, with one partner.", da: "Start i det små: én partner."}',
    ]
    assert "# no Danish yet" in after and "# three steps" in after and "# quoted on purpose" in after
    load_text(after, "after.yaml")  # and it is still a valid bank... with da everywhere
    again = run_cli("translations", "export", str(bank), "--lang", "da")
    assert rows(again.stdout) == rows(out.getvalue())


def test_import_that_breaks_the_bank_writes_nothing(tmp_path, run_cli):
    bank = tmp_path / "bank.yaml"
    bank.write_text(COMMENTED, encoding="utf-8")
    (tmp_path / "da.csv").write_text("key,source,translation\nnope/text,x,y\n", encoding="utf-8")
    result = run_cli("translations", "import", str(bank), str(tmp_path / "da.csv"))
    assert result.exit_code == 1
    assert "line 2: the bank has no text called 'nope/text'" in result.output
    assert bank.read_text(encoding="utf-8") == COMMENTED


def test_shipped_bank_round_trips_unchanged(tmp_path, run_cli):
    bank = tmp_path / "go.yaml"
    original = (V1_BANKS / "go-international.yaml").read_text(encoding="utf-8")
    bank.write_text(original, encoding="utf-8")
    run_cli("translations", "export", str(bank), "--lang", "nb", "-o", str(tmp_path / "nb.csv"))
    result = run_cli("translations", "import", str(bank), str(tmp_path / "nb.csv"))
    assert result.exit_code == 0
    assert bank.read_text(encoding="utf-8") == original  # nothing changed: not a byte moves


def test_a_file_that_is_not_yaml_gets_a_position(tmp_path, run_cli):
    bank = tmp_path / "broken.yaml"
    bank.write_text("id: x\n  bad: [\n", encoding="utf-8")
    result = run_cli("translations", "export", str(bank), "--lang", "da")
    assert result.exit_code == 1
    assert f"{bank}:2:6: YAML syntax error: mapping values are not allowed here" in result.output
