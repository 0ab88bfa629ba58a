"""Frozen dataclasses read back from their own JSON form (pure), strictly, by their annotations.

Every field must have its annotated type (str, int, bool, a datetime as ISO text, an optional
one, a tuple of them, or a nested dataclass); anything else raises InvalidInputError naming the
field's path ("staged meeting.files[0].size"), so a damaged document never builds half a value.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any, TypeVar

from archiver.core.fields import parse_time, shown
from archiver.errors import InvalidInputError

T = TypeVar("T")


def from_json_dict(cls: type[T], doc: Any, where: str) -> T:
    """An instance of the dataclass `cls` from its JSON form (dataclasses.asdict output)."""
    if not isinstance(doc, dict):
        raise InvalidInputError(f"{where}: expected an object, got {shown(doc)}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        path = f"{where}.{field.name}"
        if field.name not in doc:
            required = field.default is dataclasses.MISSING
            if required and field.default_factory is dataclasses.MISSING:
                raise InvalidInputError(f"{path}: missing")
            continue
        values[field.name] = _value(hints[field.name], doc[field.name], path)
    return cls(**values)


def _value(hint: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        [hint] = [a for a in args if a is not type(None)]
        return _value(hint, value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise InvalidInputError(f"{where}: expected a list, got {shown(value)}")
        return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return from_json_dict(hint, value, where)  # type: ignore[arg-type]
    if hint is datetime:
        return parse_time(value, where)
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInputError(f"{where}: expected an integer, got {shown(value)}")
    if hint in (str, bool) and not isinstance(value, hint):
        raise InvalidInputError(f"{where}: expected {hint.__name__}, got {shown(value)}")
    if hint not in (int, str, bool):
        raise InvalidInputError(f"{where}: cannot read a {hint!r}")
    return value
