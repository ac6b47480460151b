"""A buyer, a worker with an active entrustment and an open demand in a matching
database (SQLite or PostgreSQL), for the order tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ntb_matching.adapters.tables import metadata
from ntb_matching.adapters.unit_of_work import SqlMatchingUnitOfWork
from ntb_matching.bootstrap import MIGRATIONS
from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.entrustment import Entrustment, EntrustmentStatus, PersonView
from ntb_matching.domain.model import Demand, Location, Window
from ntb_matching.service.unit_of_work import NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.storage.engine import create_engine, session_factory
from ntbkit.storage.migrations import upgrade_to_head

HOURS = Decimal(40)
PRICE_FEN = 6_000  # 60 CNY per hour
MIN_PRICE_FEN = 5_000


@dataclass
class World:
    new_unit: NewUnit
    buyer: Caller
    worker: Caller
    operator: Caller
    demand_id: str
    entrustment_id: str

    async def event_types(self) -> list[str]:
        async with self.new_unit() as unit:
            rows = await unit.session.execute(
                sa.select(metadata.tables["outbox"].c.event_type)
                .order_by(metadata.tables["outbox"].c.id))
            return [r[0].rsplit(".", 1)[-1] for r in rows]


@asynccontextmanager
async def order_world(database_url: str, schema: str = "matching") -> AsyncIterator[World]:
    engine = create_engine(database_url, schema=schema)
    await upgrade_to_head(engine, script_location=MIGRATIONS, schema=schema)
    sessions = session_factory(engine)

    def new_unit() -> SqlMatchingUnitOfWork:
        return SqlMatchingUnitOfWork(sessions, source="matching")

    buyer_id, worker_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    entrustment_id, demand_id = str(uuid.uuid4()), str(uuid.uuid4())
    async with new_unit() as unit:
        await unit.persons.upsert(PersonView(buyer_id, "ENTERPRISE", "CN-GD", "C26",
                                             "VERIFIED"))
        await unit.persons.upsert(PersonView(worker_id, "PERSON", "CN-GD", "C26", "VERIFIED"))
        await unit.entrustments.add(Entrustment(
            entrustment_id=entrustment_id, person_id=worker_id,
            status=EntrustmentStatus.ACTIVE, hours=Decimal(720),
            available_hours=Decimal(720), availability=Window(now, now + timedelta(days=90)),
            skills=("pcb-design",), min_price_asset="CNY", min_price_units=MIN_PRICE_FEN,
            region="CN-GD", remote_ok=True, note="", contract_id=str(uuid.uuid4()),
            canonical_terms=b"{}", terms_sha256=b"0" * 32, created_at=now,
            signed_at=now))
        await unit.demands.add(PostedDemand(
            Demand(demand_id=demand_id, buyer_id=buyer_id, industry_code="C26",
                   skills=frozenset({"pcb-design"}), hours=HOURS,
                   window=Window(now, now + timedelta(days=30)), max_hourly_price=8_000,
                   location=Location(frozenset({"CN-GD"}), remote_ok=True),
                   min_experience_years=0),
            "PCB layout", "", "CN-GD", "OPEN", now))
        await unit.commit()
    try:
        yield World(new_unit, Caller(buyer_id, frozenset(), frozenset()),
                    Caller(worker_id, frozenset(), frozenset()),
                    Caller("operator-1", frozenset({ROLE_OPERATOR}), frozenset()),
                    demand_id, entrustment_id)
    finally:
        await engine.dispose()
