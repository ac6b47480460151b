"""Domain dataclasses <-> JSON documents, driven by their type hints (storage and digests).

Services that store an aggregate as one JSON document per row, next to the columns that
are queried or unique, keep their SQL small and their domain free of mapping code.
Decimals travel as strings, bytes as hex, times as ISO 8601.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from ntbkit.timestamps import as_utc

T = TypeVar("T")


def dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (tuple, list)):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    assert value is None or isinstance(value, str | int | bool), type(value)  # JSON-safe
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def load(kind: Any, data: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return load(next(a for a in args if a is not type(None)), data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(load(args[0], v) for v in data)
        return tuple(load(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        return [load(args[0], v) for v in data]
    if origin is dict:
        return {k: load(args[1], v) for k, v in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)  # type: ignore[arg-type]
        build: Any = kind
        return build(**{name: load(hints[name], value) for name, value in data.items()
                       if name in hints})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is Decimal:
        return Decimal(data)
    if kind is datetime:
        return as_utc(datetime.fromisoformat(data))
    if kind is date:
        return date.fromisoformat(data)
    if kind is bytes:
        return bytes.fromhex(data)
    return data


def load_as(cls: type[T], data: Any) -> T:
    result = load(cls, data)
    assert isinstance(result, cls)
    return result
