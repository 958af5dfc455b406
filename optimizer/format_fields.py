"""Typed reading of JSON fields for optimizer/formats.py: each fault names its full path."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .errors import InvalidProblem

T = TypeVar("T")

_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),  # before int: bool is an int subclass in Python, never in our formats
    (int, "an integer"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
    (dict, "an object"),
)


def join(path: str, key: str | int) -> str:
    """The path of a key or list index below path: ``visits[3]``, ``visits[3].windows``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def load_json(text: str) -> Any:
    """Parse JSON text. Raises: InvalidProblem naming the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidProblem(
            f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}."
        ) from None


def build(path: str, make: Callable[[], T]) -> T:
    """Call make(); an InvalidProblem it raises gets path put in front of its field."""
    try:
        return make()
    except InvalidProblem as e:
        raise InvalidProblem(e.reason, field=join(path, e.field) if e.field else path) from None


def as_object(value: Any, path: str) -> Mapping[str, Any]:
    """value itself, checked to be a JSON object."""
    if not isinstance(value, dict):
        raise InvalidProblem(f"must be an object, got {_describe(value)}.", field=path)
    return value


def object_field(obj: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    """A required object."""
    return as_object(_required(obj, key, path), join(path, key))


def list_field(obj: Mapping[str, Any], key: str, path: str, *, required: bool) -> list[Any]:
    """A list; an optional one defaults to []."""
    value = _required(obj, key, path) if required else obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidProblem(f"must be a list, got {_describe(value)}.", field=join(path, key))
    return value


def int_field(obj: Mapping[str, Any], key: str, path: str, default: int | None = None) -> int:
    """An integer (not a boolean); required when default is None."""
    value = _required(obj, key, path) if default is None else obj.get(key, default)
    value = default if value is None and default is not None else value
    return as_int(value, join(path, key))


def as_int(value: Any, path: str) -> int:
    """value itself, checked to be an integer (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidProblem(f"must be an integer, got {_describe(value)}.", field=path)
    return value


def nullable_int(obj: Mapping[str, Any], key: str, path: str) -> int | None:
    """An integer or null; absent means null."""
    return None if obj.get(key) is None else int_field(obj, key, path)


def float_field(obj: Mapping[str, Any], key: str, path: str, default: float | None = None) -> float:
    """A number (integer or not, never a boolean); required when default is None."""
    value = _required(obj, key, path) if default is None else obj.get(key, default)
    value = default if value is None and default is not None else value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidProblem(f"must be a number, got {_describe(value)}.", field=join(path, key))
    return float(value)


def str_field(obj: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
    """A string; required when default is None."""
    value = _required(obj, key, path) if default is None else obj.get(key, default)
    value = default if value is None and default is not None else value
    if not isinstance(value, str):
        raise InvalidProblem(f"must be a string, got {_describe(value)}.", field=join(path, key))
    return value


def nullable_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    """A string or null; absent means null."""
    return None if obj.get(key) is None else str_field(obj, key, path)


def str_set(obj: Mapping[str, Any], key: str, path: str) -> frozenset[str]:
    """An optional list of strings (skills), as a set."""
    items = list_field(obj, key, path, required=False)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            msg = f"must be a string, got {_describe(item)}."
            raise InvalidProblem(msg, field=join(join(path, key), i))
    return frozenset(items)


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise InvalidProblem("is required but missing.", field=join(path, key))
    return obj[key]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    name = next((n for t, n in _TYPE_NAMES if isinstance(value, t)), type(value).__name__)
    text = json.dumps(value) if isinstance(value, bool | int | float | str) else ""
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{name} {text}" if text else name
