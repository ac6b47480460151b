"""A new value model or scorecard version moves every wave: each person gets a point
with cause MODEL_PUBLISHED on the new versions, old points still recompute from their
stored inputs, and a second pass finds nothing left. A real identity server (SQLite)
for the API, the refresh batch driven directly on the same database."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from identity_server import auth, identity_server, person

from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import model_files
from ntb_identity.adapters.unit_of_work import SqlIdentityUnitOfWork
from ntb_identity.service import model_refresh
from ntbkit.storage.engine import create_engine, session_factory


async def test_new_versions_move_every_wave_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with identity_server(tmp_path, 904) as server:
        token = await server.token()
        pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                                   timeout=10)).principal.principal_id
        model_v2 = dataclasses.replace(model_files.value_model(1), version=2,
                                       national_hourly_value_fen=7000)
        card_v2 = dataclasses.replace(model_files.scorecard(1), version=2)
        monkeypatch.setattr(model_files, "current_value_model", lambda: model_v2)
        monkeypatch.setattr(model_files, "current_scorecard", lambda: card_v2)
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
                               schema="identity")
        sessions = session_factory(engine)

        def new_unit() -> SqlIdentityUnitOfWork:
            return SqlIdentityUnitOfWork(sessions, source="identity")

        try:
            assert await model_refresh.refresh_batch(new_unit) == 1
            assert await model_refresh.refresh_batch(new_unit) == 0
        finally:
            await engine.dispose()
        value = await server.stub.GetValueWave(pb.GetValueWaveRequest(principal_id=pid),
                                               metadata=auth(token), timeout=5)
        credit = await server.stub.GetCreditWave(pb.GetCreditWaveRequest(principal_id=pid),
                                                 metadata=auth(token), timeout=5)
    assert [p.inputs.value_model_version for p in value.points] == [1, 2]
    assert value.current.cause == pb.WAVE_CAUSE_MODEL_PUBLISHED
    assert value.current.hourly_value.units > value.points[0].hourly_value.units
    assert [p.scorecard_version for p in credit.points] == [1, 2]
    assert credit.current.cause == pb.WAVE_CAUSE_MODEL_PUBLISHED
