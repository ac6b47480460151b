"""Times at the edges: UTC for rows read back (SQLite drops the zone) and protobuf
Timestamps for messages. One place, so every service converts the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:  # domain code may use as_utc without importing protobuf
    from google.protobuf.timestamp_pb2 import Timestamp


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...


@overload
def as_utc(moment: None) -> None: ...


@overload
def as_utc(moment: datetime | None) -> datetime | None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware datetime; naive ones (SQLite) are UTC by convention."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def to_timestamp(moment: datetime) -> Timestamp:
    """Naive times are UTC. Integer arithmetic: Timestamp.FromDatetime is pure Python
    and was a visible share of encoding a thousand events."""
    from google.protobuf.timestamp_pb2 import Timestamp

    since = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds,
                     nanos=since.microseconds * 1_000)
