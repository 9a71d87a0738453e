"""The plugin manager: built-in rubrics and those installed through entry points."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from functools import cache
from typing import cast

import pluggy

from selfassess.scoring import hookspecs
from selfassess.scoring.rubrics.base import Rubric

ENTRY_POINT_GROUP = "selfassess.rubrics"

# The built-in rubrics are plugins like any other.
DEFAULT_PLUGINS = (
    "selfassess.scoring.rubrics.weighted_mean",
    "selfassess.scoring.rubrics.staged",
)
# Built-in implementations of the other hooks, registered like the rubrics.
DEFAULT_HOOKS = ("selfassess.scoring.default_aggregation",)


@dataclass(frozen=True)
class InstalledRubric:
    """A rubric and where it comes from."""

    rubric: Rubric
    origin: str
    version: str


def get_plugin_manager() -> pluggy.PluginManager:
    """Build a plugin manager with the specs, the entry-point plugins and the defaults."""
    pm = pluggy.PluginManager("selfassess")
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for name in (*DEFAULT_PLUGINS, *DEFAULT_HOOKS):
        pm.register(importlib.import_module(name), name=name)
    return pm


@cache
def _manager() -> pluggy.PluginManager:
    return get_plugin_manager()


def plugin_manager() -> pluggy.PluginManager:
    """Return the process's plugin manager, built on first use."""
    return _manager()


def installed_rubrics(pm: pluggy.PluginManager | None = None) -> dict[str, InstalledRubric]:
    """Return every installed rubric by name; a name given twice keeps the built-in one."""
    return _collect(pm) if pm is not None else dict(_installed())


@cache
def _installed() -> dict[str, InstalledRubric]:
    return _collect(_manager())


def reset() -> None:
    """Forget the plugins found so far (after installing one in a running process)."""
    _manager.cache_clear()
    _installed.cache_clear()


def _collect(pm: pluggy.PluginManager) -> dict[str, InstalledRubric]:
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    found: dict[str, InstalledRubric] = {}
    # Built-ins first, so that a plugin cannot silently replace one of them.
    impls = sorted(pm.hook.register_rubrics.get_hookimpls(), key=lambda impl: impl.plugin_name not in DEFAULT_PLUGINS)
    for impl in impls:
        dist = dists.get(id(impl.plugin))
        if dist is not None:
            origin, version = dist.metadata["name"], dist.version
        elif impl.plugin_name in DEFAULT_PLUGINS:
            origin, version = "built-in", _own_version()
        else:  # registered by hand, e.g. in a test
            origin, version = impl.plugin_name, "-"
        rubrics = cast(list[Rubric], impl.function() or [])
        for rubric in rubrics:
            if rubric.name in found:
                print(
                    f"selfassess: rubric {rubric.name!r} from {origin} is ignored: "
                    f"{found[rubric.name].origin} already provides it",
                    file=sys.stderr,
                )
                continue
            found[rubric.name] = InstalledRubric(rubric, origin, version)
    return found


def get_rubric(name: str) -> Rubric | None:
    """Return the installed rubric called *name*."""
    entry = _installed().get(name)
    return entry.rubric if entry else None


def _own_version() -> str:
    from selfassess import __version__

    return __version__
