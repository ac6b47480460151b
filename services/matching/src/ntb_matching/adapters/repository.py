"""Entrustments and the persons projection in SQL (SQL lives only here)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_matching.adapters.tables import demands, entrustments, person_keys, persons
from ntb_matching.domain.demand import NEUTRAL_CREDIT_SCORE, PostedDemand
from ntb_matching.domain.entrustment import Entrustment, EntrustmentStatus, PersonView
from ntb_matching.domain.model import Demand, Location, Window, Worker
from ntbkit.timestamps import as_utc


def _row(e: Entrustment) -> dict[str, Any]:
    return {
        "person_id": e.person_id, "status": e.status.value, "hours": str(e.hours),
        "available_hours": str(e.available_hours), "available_from": e.availability.start,
        "available_until": e.availability.end, "skills": list(e.skills),
        "min_price_asset": e.min_price_asset, "min_price_units": e.min_price_units,
        "region": e.region, "remote_ok": e.remote_ok, "note": e.note,
        "contract_id": e.contract_id, "canonical_terms": e.canonical_terms,
        "terms_sha256": e.terms_sha256, "signer_key_id": e.signer_key_id,
        "signer_signature": e.signer_signature, "platform_signature": e.platform_signature,
        "created_at": e.created_at, "signed_at": e.signed_at,
    }


def _entrustment(row: Any) -> Entrustment:
    start, end = as_utc(row["available_from"]), as_utc(row["available_until"])
    created_at = as_utc(row["created_at"])
    assert start is not None and end is not None and created_at is not None
    return Entrustment(
        entrustment_id=row["entrustment_id"], person_id=row["person_id"],
        status=EntrustmentStatus(row["status"]), hours=Decimal(row["hours"]),
        available_hours=Decimal(row["available_hours"]), availability=Window(start, end),
        skills=tuple(row["skills"]), min_price_asset=row["min_price_asset"],
        min_price_units=row["min_price_units"], region=row["region"],
        remote_ok=row["remote_ok"], note=row["note"], contract_id=row["contract_id"],
        canonical_terms=bytes(row["canonical_terms"]),
        terms_sha256=bytes(row["terms_sha256"]), created_at=created_at,
        signer_key_id=row["signer_key_id"], signer_signature=bytes(row["signer_signature"]),
        platform_signature=bytes(row["platform_signature"]), signed_at=as_utc(row["signed_at"]),
    )


class EntrustmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entrustment: Entrustment) -> None:
        await self._session.execute(entrustments.insert().values(
            entrustment_id=entrustment.entrustment_id, **_row(entrustment)))

    async def get(self, entrustment_id: str, *, for_update: bool = False) -> Entrustment | None:
        query = sa.select(entrustments).where(entrustments.c.entrustment_id == entrustment_id)
        if for_update and self._session.sync_session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _entrustment(row)

    async def save(self, entrustment: Entrustment) -> None:
        await self._session.execute(entrustments.update().where(
            entrustments.c.entrustment_id == entrustment.entrustment_id
        ).values(**_row(entrustment)))


    async def search(self, *, person_id: str, status: str, offset: int, size: int
                     ) -> list[Entrustment]:
        query = sa.select(entrustments)
        if person_id:
            query = query.where(entrustments.c.person_id == person_id)
        if status:
            query = query.where(entrustments.c.status == status)
        rows = (await self._session.execute(query.order_by(
            entrustments.c.created_at.desc(), entrustments.c.entrustment_id.desc())
            .offset(offset).limit(size))).mappings()
        return [_entrustment(r) for r in rows]

    async def by_contract(self, contract_id: str) -> Entrustment | None:
        row = (await self._session.execute(sa.select(entrustments).where(
            entrustments.c.contract_id == contract_id))).mappings().first()
        return None if row is None else _entrustment(row)

    async def due_to_expire(self, now: datetime, signature_deadline: datetime, limit: int
                            ) -> list[str]:
        on_market = (EntrustmentStatus.ACTIVE.value, EntrustmentStatus.EXHAUSTED.value)
        query = sa.select(entrustments.c.entrustment_id).where(sa.or_(
            sa.and_(entrustments.c.status.in_(on_market),
                    entrustments.c.available_until <= now),
            sa.and_(entrustments.c.status == EntrustmentStatus.AWAITING_SIGNATURE.value,
                    entrustments.c.created_at <= signature_deadline),
        )).order_by(entrustments.c.available_until).limit(limit)
        return list((await self._session.execute(query)).scalars())


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str) -> PersonView | None:
        row = (await self._session.execute(
            sa.select(persons).where(persons.c.person_id == person_id))).mappings().first()
        if row is None:
            return None
        return PersonView(row["person_id"], row["kind"], row["region"], row["industry_code"],
                          row["kyc_status"])

    async def upsert(self, person: PersonView) -> None:
        values = {"kind": person.kind, "region": person.region,
                  "industry_code": person.industry_code, "kyc_status": person.kyc_status}
        updated = await self._session.execute(
            persons.update().where(persons.c.person_id == person.person_id).values(values))
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(persons.insert().values(person_id=person.person_id,
                                                                **values))

    async def set_profile(self, person_id: str, *, experience_years: int,
                          skills: list[str], advantages: list[str]) -> None:
        await self._session.execute(persons.update().where(persons.c.person_id == person_id)
                                    .values(experience_years=experience_years, skills=skills,
                                            advantages=advantages))

    async def set_credit(self, person_id: str, score: int) -> None:
        await self._session.execute(persons.update().where(persons.c.person_id == person_id)
                                    .values(credit_score=score))

    async def set_kyc(self, person_id: str, kyc_status: str) -> None:
        await self._session.execute(persons.update().where(persons.c.person_id == person_id)
                                    .values(kyc_status=kyc_status))

    async def add_key(self, person_id: str, key_id: str, public_key: bytes) -> None:
        exists = await self._session.scalar(
            sa.select(sa.func.count()).select_from(person_keys)
            .where(person_keys.c.key_id == key_id))
        if not exists:
            await self._session.execute(person_keys.insert().values(
                key_id=key_id, person_id=person_id, public_key=public_key, revoked_at=None))

    async def revoke_key(self, key_id: str, at: datetime) -> None:
        await self._session.execute(person_keys.update().where(person_keys.c.key_id == key_id)
                                    .values(revoked_at=at))

    async def key(self, person_id: str, key_id: str) -> tuple[bytes, datetime | None] | None:
        row = (await self._session.execute(sa.select(person_keys).where(
            person_keys.c.key_id == key_id, person_keys.c.person_id == person_id
        ))).mappings().first()
        return None if row is None else (bytes(row["public_key"]), as_utc(row["revoked_at"]))


def _posted(row: Any) -> PostedDemand:
    start, end, created = (as_utc(row["window_start"]), as_utc(row["window_end"]),
                           as_utc(row["created_at"]))
    assert start is not None and end is not None and created is not None
    location = Location(frozenset({row["region"]}), remote_ok=row["remote_ok"])
    demand = Demand(
        demand_id=row["demand_id"], buyer_id=row["buyer_id"],
        industry_code=row["industry_code"], skills=frozenset(row["skills"]),
        hours=Decimal(row["hours"]), window=Window(start, end),
        max_hourly_price=row["max_price_units"], location=location,
        min_experience_years=row["min_experience_years"])
    open_hours = None if row["open_hours"] is None else Decimal(row["open_hours"])
    return PostedDemand(demand, row["title"], row["description"], row["region"],
                        row["status"], created, open_hours)


class DemandRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, demand: PostedDemand) -> None:
        d = demand.demand
        await self._session.execute(demands.insert().values(
            demand_id=d.demand_id, buyer_id=d.buyer_id, title=demand.title,
            description=demand.description, industry_code=d.industry_code,
            skills=sorted(d.skills), hours=str(d.hours), window_start=d.window.start,
            window_end=d.window.end, max_price_units=d.max_hourly_price,
            region=demand.region, remote_ok=d.location.remote_ok,
            min_experience_years=d.min_experience_years, status=demand.status,
            created_at=demand.created_at))

    async def get(self, demand_id: str, *, for_update: bool = False) -> PostedDemand | None:
        query = sa.select(demands).where(demands.c.demand_id == demand_id)
        if for_update and self._session.sync_session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _posted(row)

    async def set_open_hours(self, demand_id: str, open_hours: Decimal, status: str) -> None:
        await self._session.execute(demands.update().where(demands.c.demand_id == demand_id)
                                    .values(open_hours=str(open_hours), status=status))

    async def set_status(self, demand_id: str, status: str) -> None:
        await self._session.execute(demands.update().where(demands.c.demand_id == demand_id)
                                    .values(status=status))

    async def search(self, *, buyer_id: str, status: str, skills: list[str], offset: int,
                   size: int) -> list[PostedDemand]:
        """Newest first. The skills filter is applied here (JSON arrays differ by dialect)."""
        query = sa.select(demands)
        if buyer_id:
            query = query.where(demands.c.buyer_id == buyer_id)
        if status:
            query = query.where(demands.c.status == status)
        query = query.order_by(demands.c.created_at.desc(), demands.c.demand_id.desc())
        if not skills:
            rows = (await self._session.execute(query.offset(offset).limit(size))).mappings()
            return [_posted(r) for r in rows]
        wanted, found, skipped = set(skills), [], 0
        for row in (await self._session.execute(query)).mappings():
            if not wanted & set(row["skills"]):
                continue
            if skipped < offset:
                skipped += 1
                continue
            found.append(_posted(row))
            if len(found) == size:
                break
        return found

    async def workers(self) -> list[Worker]:
        """Active entrustments with hours left, as the engine sees them."""
        query = (sa.select(entrustments, persons.c.industry_code, persons.c.experience_years,
                           persons.c.advantages, persons.c.credit_score)
                 .join(persons, persons.c.person_id == entrustments.c.person_id)
                 .where(entrustments.c.status == EntrustmentStatus.ACTIVE.value))
        found = []
        for row in (await self._session.execute(query)).mappings():
            available = Decimal(row["available_hours"])
            if available <= 0:
                continue
            start, end = as_utc(row["available_from"]), as_utc(row["available_until"])
            assert start is not None and end is not None
            found.append(Worker(
                entrustment_id=row["entrustment_id"], person_id=row["person_id"],
                industry_code=row["industry_code"], region=row["region"],
                remote_ok=row["remote_ok"], experience_years=row["experience_years"],
                skills=frozenset(row["skills"]), advantages=frozenset(row["advantages"]),
                available_hours=available, availability=Window(start, end),
                min_hourly_price=row["min_price_units"],
                credit_score=row["credit_score"] or NEUTRAL_CREDIT_SCORE))
        return found
