"""Time alone moves the waves: a refresh a year later adds a SCHEDULED credit point in
which a dispute counts less (decay) and the account is older, and a SCHEDULED value
point for the person's new age; a second refresh at the same moment finds nothing.
A real identity server (SQLite) for the API, the refresh batch driven directly."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from identity_server import auth, identity_server, person

from ntb.events.v1 import matching_events_pb2 as mev
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters.unit_of_work import SqlIdentityUnitOfWork
from ntb_identity.service import scheduled_refresh
from ntbkit.messaging.envelope import new_envelope
from ntbkit.storage.engine import create_engine, session_factory

DAY_S = 86_400.0


async def test_a_year_later_decay_and_ageing_show_in_scheduled_points(tmp_path: Path) -> None:
    async with identity_server(tmp_path, 905) as server:
        token = await server.token()
        pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                                   timeout=10)).principal.principal_id
        buyer = str(uuid.uuid4())
        dispute = mev.OrderDisputed(order_id=str(uuid.uuid4()), buyer_id=buyer, worker_id=pid,
                                    raised_by=buyer)
        await server.bus.publisher().publish([new_envelope(
            topic="ntb.matching.order.v1", key=dispute.order_id, message=dispute,
            source="test")])
        request = pb.ExplainCreditRequest(principal_id=pid)
        for _ in range(100):
            before = await server.stub.ExplainCredit(request, metadata=auth(token), timeout=5)
            if before.point.sequence == 2:
                break
            await asyncio.sleep(0.05)
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
                               schema="identity")
        sessions = session_factory(engine)

        def new_unit() -> SqlIdentityUnitOfWork:
            return SqlIdentityUnitOfWork(sessions, source="identity")

        later = datetime.now(UTC) + timedelta(days=365)
        try:
            assert await scheduled_refresh.refresh_batch(
                new_unit, now=later, interval_s=DAY_S) == 1
            assert await scheduled_refresh.refresh_batch(
                new_unit, now=later, interval_s=DAY_S) == 0
        finally:
            await engine.dispose()
        after = await server.stub.ExplainCredit(request, metadata=auth(token), timeout=5)
        value = await server.stub.GetValueWave(pb.GetValueWaveRequest(principal_id=pid),
                                               metadata=auth(token), timeout=5)
    features = {a.feature: a.value for a in after.attributes}
    earlier = {a.feature: a.value for a in before.attributes}
    assert after.point.cause == pb.WAVE_CAUSE_SCHEDULED
    assert Decimal(features["disputes"]) < Decimal(earlier["disputes"])
    assert Decimal(features["account_age_days"]) >= 364
    assert after.point.score > before.point.score
    assert value.current.cause == pb.WAVE_CAUSE_SCHEDULED
    assert value.current.inputs.age_years == value.points[0].inputs.age_years + 1
