"""Draft translations: a language being translated is checked as warnings and never offered to respondents."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from selfassess.bank.loader import BankError, load_text

DRAFT = """\
id: drafty
version: "1"
title: {en: Drafty, da: Kladdeagtig, sv: Utkastig}
languages: [en, da]
draft_languages: [sv]
rubric:
  levels:
    - {id: low, min: 0, label: {en: Low, da: Lav}}
dimensions:
  - id: d1
    title: {en: First, da: Første}
    questions:
      - {id: q1, type: yesno, text: {en: Ready?, da: Klar?}}
"""


def selfassess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "selfassess", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_draft_language_is_kept_apart_from_the_offered_ones():
    bank = load_text(DRAFT, "drafty.yaml")
    assert bank.languages == ("en", "da")
    assert bank.draft_languages == ("sv",)
    assert bank.title.get("sv") == "Utkastig"
    assert bank.dimensions[0].title.get("sv") == "First"  # not translated yet: the default language


def test_check_reports_the_holes_of_a_draft_as_warnings(tmp_path):
    path = tmp_path / "drafty.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    done = selfassess("check", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{path}: ok: drafty 1, languages en, da (draft: sv)" in done.stdout
    hole = f"{path}:11:12: warning: the title of dimension 'd1' has no 'sv' translation yet"
    assert hole in done.stdout
    as_json = json.loads(selfassess("check", "--json", str(path)).stdout)
    assert as_json["ok"] is True
    assert as_json["banks"][0]["draft_languages"] == ["sv"]
    assert len(as_json["warnings"]) == 3  # the level's label, the dimension's title, the question's text
    assert any(w.startswith(hole) for w in as_json["warnings"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("draft_languages: [sv]", "draft_languages: [sv, da]"),
            "5:23: the language 'da' is in both languages and draft_languages",
        ),
        (("draft_languages: [sv]", "draft_languages: [en]"), "5:19: 'en' is the bank's default language"),
        (("draft_languages: [sv]", "draft_languages: [Swedish]"), "5:19: 'Swedish' is not a language code"),
        (("draft_languages: [sv]", "draft_languages: [sv, sv]"), "5:23: the draft language 'sv' is listed twice"),
        (("draft_languages: [sv]", "draft_languages: sv"), "5:18: draft_languages must be a list"),
        (("draft_languages: [sv]", "draft_languages: [nb]"), "3:38: the bank's title has a text in 'sv', which is not"),
    ],
)
def test_draft_language_rules(edit, message):
    with pytest.raises(BankError) as raised:
        load_text(DRAFT.replace(*edit), "drafty.yaml")
    assert any(str(p).startswith(f"drafty.yaml:{message}") for p in raised.value.problems), raised.value.problems


def test_status_marks_drafts(run_cli, tmp_path):
    path = tmp_path / "drafty.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    lines = run_cli("translations", "status", str(path)).stdout.splitlines()
    assert lines == [
        "en: 4 of 4 texts",
        "da: 4 of 4 texts",
        "sv (draft, not offered to respondents): 1 of 4 texts (3 missing)",
    ]


def test_a_partial_csv_imports_into_a_draft_language(tmp_path):
    path = tmp_path / "drafty.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    (tmp_path / "sv.csv").write_text("key,source,translation\ndimensions/d1/title,First,Första\n", encoding="utf-8")
    done = selfassess("translations", "import", str(path), str(tmp_path / "sv.csv"))
    assert done.returncode == 0, done.stderr
    assert "sv translations written (2 of 4 texts, still a draft)" in done.stdout
    assert "title: {en: First, da: Første, sv: Första}" in path.read_text(encoding="utf-8")
    assert selfassess("check", str(path)).returncode == 0


def test_a_complete_csv_says_the_draft_can_be_offered(tmp_path):
    path = tmp_path / "drafty.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    (tmp_path / "sv.csv").write_text(
        "key,source,translation\nrubric/levels/low/label,Low,Låg\ndimensions/d1/title,First,Första\n"
        "dimensions/d1/questions/q1/text,Ready?,Redo?\n",
        encoding="utf-8",
    )
    done = selfassess("translations", "import", str(path), str(tmp_path / "sv.csv"))
    assert done.returncode == 0, done.stderr
    assert "complete: move sv from draft_languages to languages" in done.stdout


def test_a_partial_csv_for_an_offered_language_asks_for_a_draft(tmp_path):
    offered = (
        DRAFT.replace("title: {en: First, da: Første}", "title: {en: First}")
        .replace("draft_languages: [sv]\n", "")
        .replace(", sv: Utkastig", "")
    )
    path = tmp_path / "drafty.yaml"
    path.write_text(offered, encoding="utf-8")
    (tmp_path / "da.csv").write_text("key,source,translation\ntitle,Drafty,Kladdeagtig\n", encoding="utf-8")
    done = selfassess("translations", "import", str(path), str(tmp_path / "da.csv"))
    assert done.returncode == 1
    assert "leaves 1 of 4 texts without a 'da' translation" in done.stderr
    assert "declare it as a draft first (move it from languages to draft_languages: [da])" in done.stderr
    assert path.read_text(encoding="utf-8") == offered
    # The same CSV with the missing row completes the language: it is written.
    (tmp_path / "da.csv").write_text("key,source,translation\ndimensions/d1/title,First,Første\n", encoding="utf-8")
    assert selfassess("translations", "import", str(path), str(tmp_path / "da.csv")).returncode == 0
    assert selfassess("check", str(path)).returncode == 0


def test_the_app_offers_only_complete_languages(tmp_path):
    from selfassess.web import create_app

    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "drafty.yaml").write_text(DRAFT, encoding="utf-8")
    app = create_app(
        {"SELFASSESS_QUESTIONNAIRES": str(banks), "SELFASSESS_DATABASE": str(tmp_path / "d.db"), "SECRET_KEY": "t"}
    )
    home = app.test_client().get("/").get_data(as_text=True)
    assert 'value="da"' in home
    assert 'value="sv"' not in home and "Svenska" not in home
