"""The validation helper reports every bad field at once, and run_idempotent returns
the first result for a repeated request id, rejecting the id with another body.
Idempotency runs on a real SQLite database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from messaging_fixtures import create_tables, effects

from ntbkit.errors import AlreadyExists, InvalidArgument
from ntbkit.storage.engine import create_engine, session_factory
from ntbkit.storage.idempotency import run_idempotent
from ntbkit.storage.unit_of_work import UnitOfWork
from ntbkit.validation import Violations, is_uuid


def test_violations_collects_every_bad_field() -> None:
    v = Violations()
    v.require_text("  ", "display_name")
    v.require_country_alpha2("XX", "country_code")
    v.require_uuid("not-a-uuid", "request_id")
    v.require_country_alpha2("CN", "other_country")
    with pytest.raises(InvalidArgument) as raised:
        v.raise_if_any()
    assert [x.field for x in raised.value.violations] == [
        "display_name", "country_code", "request_id",
    ]


def test_text_with_nul_is_refused_the_database_could_not_store_it() -> None:
    v = Violations()
    v.require_text("Li\x00Lei", "display_name")
    v.check_text("\x00", "memo", length_max=10)
    v.check_text("", "reference", length_max=10)  # optional text may be empty
    v.check_text("x" * 11, "note", length_max=10)
    assert [(x.field, x.description) for x in v.items] == [
        ("display_name", "must not contain NUL (U+0000)"),
        ("memo", "must not contain NUL (U+0000)"),
        ("note", "at most 10 characters")]


def test_no_violations_raises_nothing() -> None:
    v = Violations()
    v.require_text("Li Lei", "display_name")
    v.raise_if_any()


_ID = "0b7c2a52-8f0e-4a57-9d8e-3f1b1e7a0c11"


@pytest.mark.parametrize("value", [
    _ID, _ID.upper(), _ID.replace("-", ""), "{" + _ID + "}", "urn:uuid:" + _ID,
    "", "x", _ID + "\n", _ID[:-1] + "g", _ID[:-1], "-" + _ID[1:],
])
def test_is_uuid_accepts_what_uuid_parses(value: str) -> None:
    try:
        uuid.UUID(value)
        parses = True
    except ValueError:
        parses = False
    assert is_uuid(value) is parses


@dataclass(frozen=True)
class AddEffect:
    request_id: str
    value: str


async def test_same_request_id_returns_first_result_once(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'i.db'}", schema="svc")
    await create_tables(engine)
    sessions = session_factory(engine)

    async def add(command: AddEffect) -> str:
        async def perform(unit: UnitOfWork) -> str:
            result = await unit.session.execute(
                effects.insert().values(event_id=command.request_id, key="k", value=command.value)
            )
            return f"effect-{result.inserted_primary_key[0]}"

        return await run_idempotent(
            lambda: UnitOfWork(sessions, source="svc"), operation="AddEffect",
            request_id=command.request_id, command=command, perform=perform,
            encode=str.encode, decode=bytes.decode,
        )

    first = await add(AddEffect("r1", "a"))
    again = await add(AddEffect("r1", "a"))
    with pytest.raises(AlreadyExists):
        await add(AddEffect("r1", "b"))
    async with engine.connect() as connection:
        count = await connection.scalar(sa.select(sa.func.count()).select_from(effects))
    assert (first, again, count) == ("effect-1", "effect-1", 1)
    await engine.dispose()
