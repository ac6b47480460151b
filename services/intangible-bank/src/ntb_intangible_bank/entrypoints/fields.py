"""Request field parsers shared by the codecs: each reports a bad field to the
Violations collector and returns a harmless placeholder, so every bad field is listed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from ntb.common.v1 import common_pb2
from ntbkit.validation import Violations

DOCUMENTS_MAX = 20


def decimal(value: common_pb2.Decimal, field: str, v: Violations, *, low: Decimal,
            high: Decimal, required: bool = True, default: Decimal | None = None,
            low_open: bool = False, high_open: bool = False) -> Decimal:
    text = value.value
    if not text:
        if required:
            v.add(field, "required decimal string")
        return default if default is not None else low
    try:
        number = Decimal(text)
    except InvalidOperation:
        v.add(field, "a decimal string, e.g. \"0.05\"")
        return low
    ok = (number.is_finite() and (low < number if low_open else low <= number)
          and (number < high if high_open else number <= high))
    v.check(ok, field, f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}")
    return number if ok else low


def cny(value: common_pb2.Money, field: str, v: Violations, *, positive: bool = False,
        required: bool = True) -> int:
    if not value.asset and not value.units and not required:
        return 0
    ok = value.asset == "CNY" and (value.units > 0 if positive else value.units >= 0)
    v.check(ok, field, f"CNY, units (fen) {'>' if positive else '>='} 0")
    return value.units if ok else 0


def day(value: common_pb2.Date, field: str, v: Violations) -> date | None:
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        v.add(field, "a valid calendar date")
        return None


def optional_day(message: object, name: str, field: str, v: Violations) -> date | None:
    if not message.HasField(name):  # type: ignore[attr-defined]
        return None
    return day(getattr(message, name), field, v)


def documents(items: list[common_pb2.DocumentHash], field: str, v: Violations, *,
              required: bool = False) -> tuple[str, ...]:
    v.check(len(items) <= DOCUMENTS_MAX, field, f"at most {DOCUMENTS_MAX} documents")
    if required:
        v.check(len(items) >= 1, field, "at least one document")
    for index, item in enumerate(items):
        v.check(len(item.sha256) == 32, f"{field}[{index}].sha256", "32 bytes (SHA-256)")
    return tuple(item.sha256.hex() for item in items)


def time_or_none(message: object, name: str) -> datetime | None:
    if not message.HasField(name):  # type: ignore[attr-defined]
        return None
    return getattr(message, name).ToDatetime(UTC)  # type: ignore[no-any-return]


def text(value: str, field: str, v: Violations, *, length_max: int,
         required: bool = False) -> str:
    if required:
        v.require_text(value, field, length_max=length_max)
    else:
        v.check_text(value, field, length_max=length_max)
    return value


def enum_name(enum: object, value: int, prefix: str, field: str, v: Violations,
              *, required: bool = True) -> str | None:
    if value == 0:
        if required:
            v.add(field, "required")
        return None
    try:
        name: str = enum.Name(value)  # type: ignore[attr-defined]
    except ValueError:
        v.add(field, "unknown value")
        return None
    return name.removeprefix(prefix)
