"""`ntb fx compare` against a running fx-model: the table, the JSON rows and summary, and
the log-log plot with one point per compared country.

How: fx-model runs in this process on a SQLite file (its real gRPC server on loopback);
the CLI runs in a worker thread (it has its own event loop) through typer's runner. The
plot's points are read back from the drawn figure into the sidecar file and counted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from typer.testing import CliRunner

from ntb_cli.__main__ import app
from ntb_cli.fx_plot import sidecar_path
from ntb_fx_model.bootstrap import MIGRATIONS, build
from ntb_fx_model.settings import Settings
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import ServiceRuntime

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COMPARED_2013 = 40  # 41 wage countries - the USA (HRV, LTU, LVA at the legal euro rates)


@pytest_asyncio.fixture
async def fx_target(tmp_path: Path) -> AsyncIterator[str]:
    settings = Settings(grpc_port=0, database_url=f"sqlite+aiosqlite:///{tmp_path}/fx.db",
                        event_bus="memory", log_level="WARNING")
    runtime = ServiceRuntime(settings, build=build, migrations=MIGRATIONS,
                             bus=InMemoryEventBus())
    port = await runtime.start()
    yield f"127.0.0.1:{port}"
    await runtime.stop()


async def ntb(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args))
    return result.exit_code, result.stdout


async def test_compare_plots_one_point_per_country(fx_target: str, tmp_path: Path) -> None:
    plot = tmp_path / "out.png"
    code, output = await ntb("fx", "compare", "--year", "2013", "--plot", str(plot),
                             "--target", fx_target)
    assert code == 0, output
    assert "JPN" in output and "median |error| %" in output
    assert plot.read_bytes().startswith(PNG_MAGIC)
    drawn = json.loads(sidecar_path(plot).read_text())
    assert len(drawn["points"]) == COMPARED_2013
    assert f"plot: {plot} ({COMPARED_2013} points" in output
    assert {"COL", "CRI", "CHL", "HRV", "LUX", "TUR"} == set(drawn["labelled"])


async def test_compare_json_rows_and_summary(fx_target: str) -> None:
    code, output = await ntb("fx", "compare", "--year", "2013", "--json", "--target", fx_target)
    assert code == 0, output
    body = json.loads(output)
    assert len(body["rows"]) == COMPARED_2013
    japan = next(r for r in body["rows"] if r["iso3"] == "JPN")
    assert set(japan) >= {"iso3", "predicted", "official", "error", "percentage_error"}
    assert [s["group"] for s in body["summary"]] == ["all", "small", "large"]
    assert body["summary"][0]["median_absolute_percentage_error"].startswith("9.945")


async def test_compare_reports_a_refusal(fx_target: str) -> None:
    code, _ = await ntb("fx", "compare", "--year", "2013", "--model", "output-per-worker",
                        "--target", fx_target)
    assert code == 1
