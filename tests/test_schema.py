"""The JSON Schema for editors: generated, kept in the repository, and true to the loader."""

from __future__ import annotations

import json

import jsonschema
import pytest

from selfassess.bank.schema import schema_json
from selfassess.bank.yamlsource import parse
from selfassess.resources import SCHEMA_FILE
from tests.conftest import FIXTURES, MINIMAL_BANK, SHIPPED

BANKS = sorted(SHIPPED.glob("*.yaml"))


def test_repository_copy_is_current():
    kept = (SHIPPED / SCHEMA_FILE).read_text(encoding="utf-8")
    assert kept == schema_json(), (
        "questionnaires/bank.schema.json is stale: run `selfassess schema > questionnaires/bank.schema.json`"
    )


def test_cli_prints_the_schema(run_cli):
    result = run_cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(schema_json())


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_shipped_banks_point_editors_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
    assert (path.parent / SCHEMA_FILE).is_file()


@pytest.mark.parametrize("path", [*BANKS, FIXTURES / "owasp-samm.yaml"], ids=lambda p: p.name)
def test_valid_banks_satisfy_the_schema(path):
    schema = json.loads(schema_json())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(parse(path.read_text(encoding="utf-8")).data, schema, cls=jsonschema.Draft202012Validator)


def test_schema_rejects_an_unknown_key():
    schema = json.loads(schema_json())
    data = parse(
        MINIMAL_BANK.replace("    title: {en: One, da: En}", "    title: {en: One, da: En}\n    wieght: 2")
    ).data
    with pytest.raises(jsonschema.ValidationError, match="wieght"):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
