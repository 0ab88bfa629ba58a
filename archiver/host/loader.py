"""Reads a function app's triggers from the app object itself (never from a duplicated table)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from archiver.errors import ConfigurationError

_SETTING = re.compile(r"%([^%]+)%")
_INDEXED: dict[int, list[Any]] = {}


@dataclass(frozen=True)
class Function:
    """One function: its name, trigger type, resolved trigger binding and the Python callable."""

    name: str
    trigger: str  # timerTrigger | queueTrigger | blobTrigger | httpTrigger
    binding: dict[str, Any]
    call: Callable[..., Any]


def resolve(value: str, settings: Mapping[str, str]) -> str:
    """Replace %SETTING% expressions with app settings; a missing one is a named error."""

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if not settings.get(name):
            raise ConfigurationError(f"app setting {name} (used as %{name}%) is not set")
        return settings[name]

    return _SETTING.sub(replace, value)


def load_functions(module_name: str, settings: Mapping[str, str]) -> list[Function]:
    """Import the module, find its FunctionApp and return every function's trigger binding."""
    module = importlib.import_module(module_name)
    app = getattr(module, "app", None)
    if app is None or not hasattr(app, "get_functions"):
        raise ConfigurationError(f"{module_name} has no FunctionApp named `app`")
    if id(app) not in _INDEXED:
        # FunctionApp.get_functions() may only be called once per app object.
        _INDEXED[id(app)] = list(app.get_functions())
    functions = []
    for fn in _INDEXED[id(app)]:
        bindings = [b.get_dict_repr() for b in fn.get_bindings()]
        trigger = next(b for b in bindings if str(b["type"]).endswith("Trigger"))
        resolved = {
            key: resolve(value, settings) if isinstance(value, str) else value
            for key, value in trigger.items()
        }
        functions.append(
            Function(fn.get_function_name(), str(trigger["type"]), resolved, fn.get_user_function())
        )
    return functions
