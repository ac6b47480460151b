"""The one helper that validates a request and reports every bad field at once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import pycountry

from ntbkit.errors import FieldViolation, InvalidArgument

_ISO_ALPHA2 = re.compile(r"^[A-Z]{2}$")
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                             r"[0-9a-fA-F]{12}")


def is_uuid(value: str) -> bool:
    """What `uuid.UUID` accepts; the canonical form (nearly every id) without parsing
    it, ~5x faster: a 1,000-transfer batch checks three ids per transfer."""
    if _CANONICAL_UUID.fullmatch(value):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def text_problem(value: str, *, length_max: int) -> str | None:
    """Why free text cannot be stored, or None: too long, or holding NUL (U+0000),
    which valid UTF-8 (so protobuf) allows but PostgreSQL text cannot hold."""
    if len(value) > length_max:
        return f"at most {length_max} characters"
    if "\x00" in value:
        return "must not contain NUL (U+0000)"
    return None


class Violations:
    """Collects field violations; `raise_if_any()` turns them into one InvalidArgument.

    Usage in a codec:
        v = Violations()
        v.check(bool(req.display_name.strip()), "display_name", "must not be empty")
        v.raise_if_any()
    """

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def check(self, ok: bool, field: str, description: str) -> bool:
        if not ok:
            self.add(field, description)
        return ok

    def require_text(self, value: str, field: str, *, length_max: int = 200) -> bool:
        if not value.strip():
            self.add(field, "must not be empty")
            return False
        return self.check_text(value, field, length_max=length_max)

    def check_text(self, value: str, field: str, *, length_max: int) -> bool:
        """Free text that may be empty (a memo, a reference)."""
        problem = text_problem(value, length_max=length_max)
        if problem is not None:
            self.add(field, problem)
        return problem is None

    def require_uuid(self, value: str, field: str) -> bool:
        return self.check(is_uuid(value), field, "must be a UUID (client-chosen idempotency key)")

    def require_country_alpha2(self, code: str, field: str) -> bool:
        ok = bool(_ISO_ALPHA2.match(code)) and pycountry.countries.get(alpha_2=code) is not None
        return self.check(ok, field, "must be an ISO 3166-1 alpha-2 country code, e.g. CN")

    def require_one_of(self, value: object, allowed: Iterable[object], field: str) -> bool:
        allowed_list = list(allowed)
        return self.check(value in allowed_list, field, f"must be one of {allowed_list}")

    def extend(self, items: Iterable[FieldViolation]) -> None:
        self._items.extend(items)

    @property
    def items(self) -> list[FieldViolation]:
        return list(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise InvalidArgument(self._items)
