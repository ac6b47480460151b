"""scf-exchange's financing events as conduct of the obligor: settled -> LOAN_REPAID
(late when not on time), defaulted -> LOAN_DEFAULTED; other events are no conduct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from ntb.events.v1 import scf_exchange_events_pb2 as sev
from ntb_identity.domain.behaviour import Conduct
from ntb_identity.entrypoints.scf_consumers import FINANCING_TOPIC, _record
from ntbkit.messaging.envelope import new_envelope


def stamp(at: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(at)
    return value


def test_financing_events_become_the_obligors_conduct() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    settled = new_envelope(topic=FINANCING_TOPIC, key="f", source="scf-exchange",
                           message=sev.FinancingSettled(obligor_id="core", on_time=False,
                                                        settled_at=stamp(at)))
    record = _record(settled)
    assert record is not None
    assert (record.principal_id, record.conduct, record.late, record.occurred_at) == (
        "core", Conduct.LOAN_REPAID, True, at)
    later = datetime.now(UTC) + timedelta(days=9)  # a clock ahead is clamped to now
    defaulted = new_envelope(topic=FINANCING_TOPIC, key="f", source="scf-exchange",
                             message=sev.FinancingDefaulted(obligor_id="core",
                                                            defaulted_at=stamp(later)))
    record = _record(defaulted)
    assert record is not None
    assert record.conduct is Conduct.LOAN_DEFAULTED
    assert record.occurred_at <= datetime.now(UTC)
    funded = new_envelope(topic=FINANCING_TOPIC, key="f", source="scf-exchange",
                          message=sev.FinancingFunded(obligor_id="core"))
    assert _record(funded) is None
