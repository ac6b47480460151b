"""Embedded mode: the six services in one process, SQLite files, one in-process bus."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ntb_cli.suite import (
    DEVELOPMENT_OPERATOR_ID,
    DEVELOPMENT_OPERATOR_SECRET,
    METRICS_PORT,
    SUITE,
    embedded_overrides,
)
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import (
    ServiceRuntime,
    configure_process,
    run_on_fast_loop,
    serve_until_signalled,
)


def runtimes(
    data_dir: Path, host: str, *, port_offset: int = 0, metrics_port: int = METRICS_PORT
) -> list[ServiceRuntime]:
    bus = InMemoryEventBus()  # one bus: events still go outbox -> bus -> inbox
    return [
        ServiceRuntime(
            member.settings(**embedded_overrides(
                member, data_dir, host, port_offset=port_offset, metrics_port=metrics_port)),
            build=member.build, migrations=member.migrations, bus=bus,
        )
        for member in SUITE
    ]


def print_endpoints(console: Console, host: str) -> None:
    table = Table(title="NTB suite (embedded) - SERVING")
    table.add_column("service")
    table.add_column("gRPC endpoint")
    for member in SUITE:
        table.add_row(member.name, f"{host}:{member.port}")
    table.add_row("metrics", f"http://{host}:{METRICS_PORT}/metrics")
    console.print(table)
    console.print(
        f"operator credentials (development only): client_id={DEVELOPMENT_OPERATOR_ID} "
        f"client_secret={DEVELOPMENT_OPERATOR_SECRET}"
    )
    console.print("Ctrl-C stops the suite.")


def run(data_dir: Path, host: str, log_format: str) -> None:
    console = Console(stderr=False)
    members = runtimes(data_dir, host)
    first = members[0].settings.model_copy(update={"log_format": log_format})
    configure_process(first)
    run_on_fast_loop(serve_until_signalled(
        members, on_ready=lambda: print_endpoints(console, host)))
