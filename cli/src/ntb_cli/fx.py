"""`ntb fx ...`: fx-model's tools over its gRPC API.

`ntb fx compare --year 2013 [--model ...] [--plot out.png] [--json]` asks a running
fx-model (`--target`, default the embedded suite's port) for CompareWithOfficial and
prints the per-country table and the summaries, or with `--json` the rows (iso3,
predicted, official, error, percentage error) and the summaries as JSON. `--plot`
also writes the log-log scatter (see `fx_plot`).
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer
from rich.console import Console
from rich.table import Table

from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_cli.fx_plot import PlotPoint, plot_comparison

app = typer.Typer(help="fx-model: model exchange rates against official ones.",
                  no_args_is_help=True)
DEFAULT_TARGET = "127.0.0.1:50056"
RPC_DEADLINE_S = 30.0


class Model(StrEnum):
    labor_productivity_parity = "labor-productivity-parity"
    output_per_worker = "output-per-worker"
    output_per_wage = "output-per-wage"
    output_per_worker_wage = "output-per-worker-wage"
    direct_labor_value = "direct-labor-value"

    def proto(self) -> pb.RateModel.ValueType:
        return pb.RateModel.Value("RATE_MODEL_" + self.name.upper())


async def fetch_comparison(
    target: str, year: int, model: Model
) -> pb.CompareWithOfficialResponse:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = fx_model_pb2_grpc.FxModelServiceStub(channel)
        request = pb.CompareWithOfficialRequest(year=year, model=model.proto())
        response: pb.CompareWithOfficialResponse = await stub.CompareWithOfficial(
            request, timeout=RPC_DEADLINE_S)
        return response


def _optional(message: pb.ComparisonSummary, name: str) -> str | None:
    if not message.HasField(name):  # type: ignore[arg-type]
        return None
    value: str = getattr(message, name).value
    return value


def comparison_json(response: pb.CompareWithOfficialResponse) -> dict[str, Any]:
    """Rows and summaries as JSON-ready data; decimals stay exact strings."""
    return {
        "year": response.year,
        "model": pb.RateModel.Name(response.model),
        "dataset_id": response.dataset_id,
        "rows": [
            {
                "iso3": row.country_code,
                "country": row.country_name,
                "currency": row.rate.currency_code,
                "predicted": row.rate.local_per_usd.value,
                "official": row.rate.official_local_per_usd.value,
                "error": row.error.value,
                "percentage_error": row.percentage_error.value,
            }
            for row in response.comparisons
        ],
        "summary": [
            {
                "group": s.group,
                "description": s.description,
                "country_count": s.country_count,
                "median_absolute_percentage_error": _optional(
                    s, "median_absolute_percentage_error"),
                "share_within_10_percent": _optional(s, "share_within_10_percent"),
                "share_within_25_percent": _optional(s, "share_within_25_percent"),
            }
            for s in response.summaries
        ],
        "skipped": [
            {"iso3": s.country_code, "reason": pb.SkipReason.Name(s.reason), "detail": s.detail}
            for s in response.skipped
        ],
    }


def _fixed(text: str | None, places: int) -> str:
    if text is None:
        return "-"
    return f"{Decimal(text):,.{places}f}"


def _percent(text: str | None) -> str:
    return "-" if text is None else f"{Decimal(text) * 100:.0f}%"


def print_tables(console: Console, response: pb.CompareWithOfficialResponse) -> None:
    model = pb.RateModel.Name(response.model)
    table = Table(title=f"{model}: model vs official rate, {response.year} "
                        "(local units per USD)")
    for column in ("iso3", "country", "currency", "model", "official", "error", "error %"):
        table.add_column(column, justify="left" if column in ("iso3", "country") else "right")
    for row in response.comparisons:
        table.add_row(row.country_code, row.country_name, row.rate.currency_code,
                      _fixed(row.rate.local_per_usd.value, 4),
                      _fixed(row.rate.official_local_per_usd.value, 4),
                      _fixed(row.error.value, 4), _fixed(row.percentage_error.value, 1))
    console.print(table)
    summary = Table(title="summary")
    for column in ("group", "countries", "median |error| %", "within 10%", "within 25%"):
        summary.add_column(column)
    for s in response.summaries:
        summary.add_row(f"{s.group} ({s.description})", str(s.country_count),
                        _fixed(_optional(s, "median_absolute_percentage_error"), 2),
                        _percent(_optional(s, "share_within_10_percent")),
                        _percent(_optional(s, "share_within_25_percent")))
    console.print(summary)
    console.print(f"{len(response.skipped)} countries of {response.year} not compared "
                  "(missing inputs or currency mismatch; --json lists each reason)")


def plot_points(response: pb.CompareWithOfficialResponse) -> list[PlotPoint]:
    return [
        PlotPoint(row.country_code, Decimal(row.rate.official_local_per_usd.value),
                  Decimal(row.rate.local_per_usd.value),
                  Decimal(row.absolute_percentage_error.value))
        for row in response.comparisons
    ]


@app.command()
def compare(
    year: Annotated[int, typer.Option(help="Year to compare, e.g. 2013.")],
    model: Annotated[Model, typer.Option(help="Rate model.")] = Model.labor_productivity_parity,
    plot: Annotated[Path | None, typer.Option(help="Write a log-log scatter here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not tables.")] = False,
    target: Annotated[str, typer.Option(envvar="NTB_FX_MODEL_TARGET",
                                        help="fx-model's gRPC address.")] = DEFAULT_TARGET,
) -> None:
    """Model against official exchange rates for every country of a year."""
    try:
        response = asyncio.run(fetch_comparison(target, year, model))
    except grpc.RpcError as error:
        typer.echo(f"fx-model refused: {error.code().name}: {error.details()}", err=True)
        raise typer.Exit(1) from error
    console = Console()
    if as_json:
        typer.echo(json.dumps(comparison_json(response), indent=1))
    else:
        print_tables(console, response)
    if plot is not None:
        title = f"{pb.RateModel.Name(response.model)}, {response.year}"
        result = plot_comparison(plot_points(response), plot, title=title)
        typer.echo(f"plot: {result.path} ({result.point_count} points, "
                   f"labelled {', '.join(result.labelled) or 'none'})", err=as_json)
