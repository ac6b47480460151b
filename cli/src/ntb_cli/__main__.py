"""The `ntb` command."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from ntb_cli import distributed, embedded, fx, verify

app = typer.Typer(help="NTB platform: run the suite and use its tools.", no_args_is_help=True)
app.add_typer(verify.app, name="verify")
app.add_typer(fx.app, name="fx")


@app.command()
def run(
    data_dir: Annotated[Path, typer.Option(help="Where the SQLite files live.")] = Path("data"),
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    log_format: Annotated[str, typer.Option(help="json or console")] = "console",
) -> None:
    """All six services in one process (SQLite, in-process event bus)."""
    embedded.run(data_dir, host, log_format)


@app.command("run-distributed")
def run_distributed(
    database_url: Annotated[str, typer.Option(envvar="NTB_DATABASE_URL")] = (
        "postgresql+asyncpg://ntb:ntb@127.0.0.1:55432/ntb"
    ),
    kafka_bootstrap: Annotated[str, typer.Option(envvar="NTB_KAFKA_BOOTSTRAP")] = (
        "127.0.0.1:59092"
    ),
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
) -> None:
    """The six services as separate processes on PostgreSQL and Kafka."""
    asyncio.run(
        distributed.run(database_url=database_url, kafka_bootstrap=kafka_bootstrap, host=host)
    )


if __name__ == "__main__":
    app()
