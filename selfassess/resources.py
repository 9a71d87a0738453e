"""Where the shipped banks, templates and schema are, installed from a wheel or not."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries the folder inside the package; a source checkout keeps it at the top.
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def questionnaires_dir() -> Path:
    """Return the folder of the shipped question banks."""
    return _find("questionnaires")


def templates_dir() -> Path:
    """Return the folder of the Jinja templates."""
    return _find("templates")


SCHEMA_FILE = "bank.schema.json"


def schema_path() -> Path:
    """Return the path of the JSON Schema copy kept beside the banks."""
    return questionnaires_dir() / SCHEMA_FILE
