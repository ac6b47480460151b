"""Opaque page tokens: a position plus a hash of the filters that produced it.

A token replayed with other filters is rejected instead of silently paging through
a different result set.
"""

from __future__ import annotations

import base64
import hashlib
import json

from ntbkit.validation import Violations

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 1000


def _filters_hash(filters: object) -> str:
    return hashlib.sha256(repr(filters).encode()).hexdigest()[:16]


def encode_token(position: int, filters: object) -> str:
    body = json.dumps({"p": position, "f": _filters_hash(filters)}).encode()
    return base64.urlsafe_b64encode(body).decode()


def decode_page(
    page_size: int, page_token: str, filters: object, v: Violations, *, field: str = "page"
) -> tuple[int, int]:
    """(position after which to start, page size); problems go to `v`."""
    v.check(0 <= page_size <= PAGE_SIZE_MAX, f"{field}.page_size", f"0..{PAGE_SIZE_MAX}")
    size = page_size or PAGE_SIZE_DEFAULT
    if not page_token:
        return 0, size
    try:
        body = json.loads(base64.urlsafe_b64decode(page_token.encode()))
        position, filters_hash = int(body["p"]), str(body["f"])
    except (ValueError, KeyError, TypeError):
        v.add(f"{field}.page_token", "not a token this API issued")
        return 0, size
    v.check(filters_hash == _filters_hash(filters), f"{field}.page_token",
            "issued for other filters")
    return position, size
