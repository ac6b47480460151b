"""A serving process leaves what start-up allocated out of the garbage collector's
full collections: scanning it stalled the event loop for 75-100 ms every few seconds
under load (the ledger benchmark's p99)."""

from __future__ import annotations

import gc
import os
import signal
from typing import Any, cast

import pytest

from ntbkit.runtime import ServiceRuntime, serve_until_signalled


class _StartedRuntime:
    """Stands in for a ServiceRuntime: its start allocates objects that stay alive."""

    def __init__(self) -> None:
        self.kept: list[dict[str, int]] = []

    async def start(self) -> int:
        self.kept = [{"n": n} for n in range(1000)]
        return 0

    async def stop(self) -> None:
        return None


@pytest.fixture
def unfrozen() -> Any:
    gc.unfreeze()
    yield
    gc.unfreeze()


async def test_start_up_objects_are_frozen_once_serving(unfrozen: Any) -> None:
    runtime = _StartedRuntime()
    seen: dict[str, object] = {}

    def on_ready() -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["kept_tracked"] = any(obj is runtime.kept[0] for obj in gc.get_objects())
        os.kill(os.getpid(), signal.SIGTERM)  # serve_until_signalled's own way out

    await serve_until_signalled([cast(ServiceRuntime, runtime)], on_ready=on_ready)

    assert cast(int, seen["frozen"]) >= len(runtime.kept)
    assert seen["kept_tracked"] is False  # in the permanent generation, not scanned
