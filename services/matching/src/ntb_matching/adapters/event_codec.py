"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.events.v1 import matching_events_pb2 as events
from ntb_matching.domain.entrustment import LaborEntrusted
from ntbkit.timestamps import to_timestamp

LABOR_TOPIC = "ntb.matching.labor.v1"



def encode(event: LaborEntrusted) -> tuple[str, str, Message]:
    e = event.entrustment
    assert e.signed_at is not None
    return LABOR_TOPIC, e.person_id, events.LaborEntrusted(
        entrustment_id=e.entrustment_id, person_id=e.person_id,
        hours=common_pb2.Decimal(value=str(e.hours)),
        available_hours=common_pb2.Decimal(value=str(e.available_hours)),
        availability=common_pb2.TimeRange(start_time=to_timestamp(e.availability.start),
                                          end_time=to_timestamp(e.availability.end)),
        min_hourly_price=common_pb2.Money(asset=e.min_price_asset, units=e.min_price_units),
        skills=list(e.skills), contract_id=e.contract_id, terms_sha256=e.terms_sha256,
        entrusted_at=to_timestamp(e.signed_at))
