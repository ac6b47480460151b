"""to_timestamp computes seconds and nanos itself (speed); it must agree with
protobuf's own Timestamp.FromDatetime for every time, zone or none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from ntbkit.timestamps import to_timestamp

_ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=8)),
                          timezone(-timedelta(hours=5, minutes=30))])


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), _ZONES)
def test_to_timestamp_agrees_with_protobuf(moment: datetime, zone: timezone | None) -> None:
    moment = moment.replace(tzinfo=zone)
    expected = Timestamp()
    expected.FromDatetime(moment)
    assert to_timestamp(moment) == expected
