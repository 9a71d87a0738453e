"""A JSON Schema of the bank format, for editors (yaml-language-server) and tools.

It is generated from the loader's own key lists, so it cannot drift from what
``selfassess check`` accepts; ``questionnaires/bank.schema.json`` is a copy of it.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from selfassess.bank import loader
from selfassess.bank.limits import LEVEL_MIN, RESPONDENTS, VALUE, WEIGHT
from selfassess.bank.questiontypes import KEY_OWNERS, QUESTION_TYPES, TYPES, QuestionType
from selfassess.scoring.plugins import DEFAULT_PLUGINS
from selfassess.scoring.rubrics.base import Setting

SCHEMA_ID = "https://selfassess.invalid/bank.schema.json"


def _setting_schema(setting: Setting) -> dict[str, Any]:
    if setting.kind == "number":
        # As the loader checks it: the rubric's bounds, else those of every other value.
        return {
            "type": "number",
            "description": setting.help,
            "minimum": VALUE.low if setting.minimum is None else setting.minimum,
            "maximum": VALUE.high if setting.maximum is None else setting.maximum,
        }
    if setting.kind == "factors":
        factor = {
            "type": "number",
            "minimum": VALUE.low if setting.minimum is None else setting.minimum,
            "maximum": VALUE.high if setting.maximum is None else setting.maximum,
        }
        return {
            "type": "object",
            "description": setting.help,
            "properties": {key: factor for key in setting.keys},
            "additionalProperties": False,
        }
    return {"type": "string", "description": setting.help}


def _builtin_settings() -> tuple[dict[str, Setting], dict[str, Setting]]:
    rubric: dict[str, Setting] = {}
    question: dict[str, Setting] = {}
    for name in DEFAULT_PLUGINS:
        for r in importlib.import_module(name).register_rubrics():
            rubric.update(r.settings)
            question.update(r.question_settings)
    return rubric, question


def _type_rule(rules: QuestionType) -> dict[str, Any]:
    """Say which type-specific keys a question of this type needs and which it must not have."""
    then: dict[str, Any] = {"required": list(rules.required_keys)} if rules.required_keys else {}
    then["properties"] = {key: False for key in KEY_OWNERS if key not in rules.keys}
    return {"if": {"properties": {"type": {"const": rules.name}}, "required": ["type"]}, "then": then}


def bank_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a question bank."""
    rubric_settings, question_settings = _builtin_settings()
    text = {"$ref": "#/$defs/text"}
    ident = {"type": "string", "pattern": loader.ITEM_ID.pattern}
    value = {"type": ["string", "number"]}
    weight = {**WEIGHT.schema(), "default": 1}
    number = VALUE.schema()
    role_list = {
        "type": "array",
        "uniqueItems": True,
        "items": ident,
        "description": "ids of the bank's roles that answer it; default: every role (a question: its dimension's)",
    }

    def obj(properties: dict[str, Any], required: list[str], allowed: set[str]) -> dict[str, Any]:
        assert set(properties) == allowed, sorted(set(properties) ^ allowed)
        return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}

    question_props = {
        "id": ident,
        "type": {"enum": list(QUESTION_TYPES)},
        "text": text,
        "help": text,
        "weight": weight,
        "required": {"type": "boolean"},
        "allow_na": {"type": "boolean", "description": "adds a 'Not applicable' answer"},
        "allow_dont_know": {
            "type": "boolean",
            "description": "adds a 'Don't know' answer ('No data' on number questions): not scored, shown as a knowledge gap",
        },
        "roles": role_list,
        "share_text": {
            "type": "boolean",
            "description": "text questions only: answers may be shown to the coordinator without the writer's name",
        },
        **{key: schema for rules in TYPES.values() for key, schema in rules.schema().items()},
        "show_if": {
            "type": "object",
            "properties": {
                "question": ident,
                "equals": value,
                "in": {"type": "array", "items": value},
                "min": number,
            },
            "required": ["question"],
            "oneOf": [{"required": [op]} for op in loader.SHOW_IF_OPERATORS],
            "additionalProperties": False,
        },
    }
    question = obj(question_props, ["id", "type", "text"], loader.QUESTION_KEYS)
    question["allOf"] = [_type_rule(rules) for rules in TYPES.values()]
    question["allOf"].append(
        {
            "if": {"properties": {"type": {"not": {"const": "text"}}}, "required": ["type"]},
            "then": {"properties": {"share_text": False}},
        }
    )
    question["allOf"].append(
        {
            "if": {"properties": {"type": {"const": "text"}}, "required": ["type"]},
            "then": {"properties": {"allow_dont_know": False}},
        }
    )
    question["properties"].update({k: _setting_schema(s) for k, s in question_settings.items()})
    rubric = obj(
        {
            "plugin": {"type": "string", "default": loader.DEFAULT_RUBRIC},
            "levels": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/level"}},
        },
        ["levels"],
        loader.RUBRIC_KEYS,
    )
    rubric["properties"].update({k: _setting_schema(s) for k, s in rubric_settings.items()})
    dimension = obj(
        {
            "id": ident,
            "title": text,
            "description": text,
            "weight": weight,
            "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
            "feedback": {"type": "object", "description": "advice per level id", "additionalProperties": text},
            "roles": role_list,
            "resources": {
                "type": "array",
                "items": {"$ref": "#/$defs/resource"},
                "description": "links shown in the dimension's next steps",
            },
            "rubric": {
                "type": "string",
                "description": "a rubric of its own for this dimension (e.g. staged in a weighted-mean bank)",
            },
        },
        ["id", "title", "questions"],
        loader.DIMENSION_KEYS,
    )
    # The settings of the dimension's own rubric sit beside 'rubric:' (e.g. threshold).
    dimension["properties"].update({k: _setting_schema(s) for k, s in rubric_settings.items()})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "selfassess question bank",
        "description": "A self-assessment questionnaire: dimensions, questions, scales, profile and rubric. Generated by 'selfassess schema'.",
        **obj(
            {
                "id": {"type": "string", "pattern": loader.BANK_ID.pattern},
                "version": {"type": "string", "description": 'quote it: "2026.1"'},
                "title": text,
                "description": text,
                "languages": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": loader.LANGUAGE.pattern},
                },
                "draft_languages": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": loader.LANGUAGE.pattern},
                    "description": "languages still being translated: missing texts are warnings, respondents are not offered them",
                },
                "scales": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/scaleOption"}},
                },
                "profile": {"type": "array", "items": question},
                "roles": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/$defs/role"},
                    "description": "the groups of people that answer for an organisation, each its own questions",
                },
                "rubric": rubric,
                "dimensions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/dimension"}},
            },
            list(loader.TOP_REQUIRED),
            loader.TOP_KEYS,
        ),
        "$defs": {
            "text": {
                "description": "a text in the default language, or a map of language code to text",
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
                ],
            },
            "option": obj({"value": value, "label": text, "score": number}, ["value", "label"], loader.OPTION_KEYS),
            "scaleOption": obj({"value": number, "label": text}, ["value", "label"], loader.SCALE_OPTION_KEYS),
            "level": obj(
                {
                    "id": ident,
                    "min": LEVEL_MIN.schema(),
                    "label": text,
                    "description": text,
                },
                ["id", "min", "label"],
                loader.LEVEL_KEYS,
            ),
            "role": obj(
                {
                    "id": ident,
                    "label": text,
                    "min_respondents": {
                        "type": "integer",
                        "minimum": RESPONDENTS.low,
                        "maximum": RESPONDENTS.high,
                        "default": 1,
                        "description": "the group counts once this many have answered",
                    },
                    "weight": weight,
                },
                ["id", "label"],
                loader.ROLE_KEYS,
            ),
            "question": question,
            "url": {
                "type": "string",
                "pattern": loader.URL.pattern,
                "description": "an address starting with https://",
            },
            "resource": obj(
                {
                    "title": text,
                    "url": {
                        "oneOf": [
                            {"$ref": "#/$defs/url"},
                            {
                                "type": "object",
                                "minProperties": 1,
                                "additionalProperties": {"$ref": "#/$defs/url"},
                                "description": "an address per language; a language left out falls back to en, then the first given",
                            },
                        ]
                    },
                    "levels": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": ident,
                        "description": "the levels whose next steps show it; default every level",
                    },
                },
                ["title", "url"],
                loader.RESOURCE_KEYS,
            ),
            "dimension": dimension,
        },
    }


def schema_json() -> str:
    """Return the schema as the JSON text kept in the repository."""
    return json.dumps(bank_schema(), indent=2, ensure_ascii=False) + "\n"
