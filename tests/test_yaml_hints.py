"""The YAML mistakes authors make most get a file:line:col message that says how to fix them."""

from __future__ import annotations

import subprocess
import sys

import pytest

BANK = """\
id: hints
version: "1"
title: Hints
languages: [en]
rubric:
  levels:
    - {id: low, min: 0, label: Low}
dimensions:
  - id: d1
    title: First
    questions:
      - id: q1
        type: yesno
        text: Ready?
"""


@pytest.mark.parametrize(
    ("good", "bad", "message"),
    [
        (
            "text: Ready?",
            "text: Note: are you ready?",
            "14:19: YAML syntax error: mapping values are not allowed here: the text contains ': ', which starts a new "
            'key in YAML; put the whole text in quotes: text: "Note: are you ready?"',
        ),
        (
            "    title: First",
            "\ttitle: First",
            "10:1: YAML syntax error: a tab character here; YAML indents with spaces only, so replace the tab with spaces",
        ),
        (
            "text: Ready?",
            'text: "Ready?',
            '14:15: YAML syntax error: the text that opens with " here is never closed; add the closing " at the end of '
            'the text (a " inside the text is written \\")',
        ),
        (
            "text: Ready?",
            "text: 'Learner's ready?'",
            "14:24: YAML syntax error: a text in single quotes ends at the next '; write an apostrophe inside it twice",
        ),
    ],
    ids=["colon", "tab", "unclosed-quote", "apostrophe"],
)
def test_check_explains_the_yaml_mistake(tmp_path, good, bad, message):
    path = tmp_path / "hints.yaml"
    path.write_text(BANK.replace(good, bad), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "selfassess", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"{path}:{message}" in done.stdout


def test_a_colon_that_ends_a_misplaced_key_keeps_the_plain_message():
    from selfassess.bank.yamlsource import YamlSyntaxError, parse

    with pytest.raises(YamlSyntaxError) as raised:
        parse("id: x\n  bad: [\n")
    assert raised.value.message == "YAML syntax error: mapping values are not allowed here"
