"""Dashboards as code: `python deploy/grafana/generate.py` writes deploy/grafana/dashboards/*.json
from the definitions below (grafanalib) and copies them, with prometheus-rules.yml, into the
Helm chart's files/ (a chart cannot read files outside itself); `--check` fails when a
checked-in file differs from what this writes.

Every query names metrics that the services export (see ntbkit.telemetry.metrics) or the
recording rules of deploy/grafana/prometheus-rules.yml. Targets carry the labels `ntb_service`
(identity, laborcoin, ..., patent-bank) and `ntb_part` (body, wing-scf, wing-patent),
set by the scrape config (compose, tests) or the ServiceMonitor relabelling (Kubernetes).
tests/deploy/test_observability.py runs every query against a real Prometheus.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grafanalib._gen import DashboardEncoder
from grafanalib.core import (
    Dashboard,
    GridPos,
    Stat,
    Target,
    Template,
    Templating,
    Time,
    TimeSeries,
)

HERE = Path(__file__).resolve().parent
OUTPUT_DIR = HERE / "dashboards"
RULES = HERE / "prometheus-rules.yml"
CHART_FILES = HERE.parent / "helm" / "ntb" / "files"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
SERVICE = 'ntb_service=~"$service"'
SERVER_FAULT_CODES = "UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS|UNIMPLEMENTED"
WIDTH = 24


def _target(expr: str, legend: str, ref: str = "A") -> Target:
    return Target(expr=expr, legendFormat=legend, refId=ref, datasource=DATASOURCE)


def _grid(panels: list[tuple[Any, int, int]]) -> Iterator[Any]:
    """Lay out (panel, width, height) left to right, wrapping at the dashboard width."""
    x = y = row_height = 0
    for panel, width, height in panels:
        if x + width > WIDTH:
            x, y, row_height = 0, y + row_height, 0
        panel.gridPos = GridPos(h=height, w=width, x=x, y=y)
        x, row_height = x + width, max(row_height, height)
        yield panel


def _series(title: str, targets: list[Target], unit: str = "short") -> TimeSeries:
    return TimeSeries(title=title, dataSource=DATASOURCE, targets=targets, unit=unit,
                      legendDisplayMode="table", legendPlacement="right")


def _stat(title: str, targets: list[Target], unit: str = "short") -> Stat:
    return Stat(title=title, dataSource=DATASOURCE, targets=targets, format=unit,
                reduceCalc="lastNotNull", graphMode="none")


def _service_variable() -> Templating:
    return Templating(list=[Template(
        name="service", label="service", dataSource=DATASOURCE, type="query",
        query="label_values(up{ntb_service!=\"\"}, ntb_service)",
        includeAll=True, multi=True, default="$__all", allValue=".+",
    )])


def _dashboard(uid: str, title: str, panels: list[tuple[Any, int, int]],
               templating: Templating | None = None) -> Dashboard:
    return Dashboard(
        uid=uid, title=title, tags=["ntb"], timezone="utc", refresh="30s",
        time=Time("now-1h", "now"), panels=list(_grid(panels)),
        templating=templating or Templating(list=[]),
    )


def overview() -> Dashboard:
    return _dashboard("ntb-overview", "NTB / Overview: one body, two wings", [
        (_stat("Services up", [_target('sum by (ntb_service) (up{ntb_service!=""})',
                                       "{{ntb_service}}")]), 24, 4),
        (_stat("Instances by part", [_target('count by (ntb_part) (up{ntb_part!=""} == 1)',
                                             "{{ntb_part}}")]), 8, 4),
        (_stat("Requests/s, all services", [_target(
            "sum(ntb_service:grpc_server_requests:rate5m)", "rps")], "reqps"), 8, 4),
        (_stat("Server-fault ratio, all services", [_target(
            "sum(ntb_service:grpc_server_errors:rate5m) / "
            "sum(ntb_service:grpc_server_requests:rate5m)", "ratio")], "percentunit"), 8, 4),
        (_series("Request rate by service", [_target(
            "ntb_service:grpc_server_requests:rate5m", "{{ntb_service}}")], "reqps"), 12, 8),
        (_series("Server-fault ratio by service", [_target(
            "ntb_service:grpc_server_error_ratio:rate5m", "{{ntb_service}}")],
            "percentunit"), 12, 8),
        (_series("p99 latency by service", [_target(
            "ntb_service:grpc_server_handling_seconds:p99_5m", "{{ntb_service}}")], "s"),
         12, 8),
        (_series("Oldest unpublished outbox event by service", [_target(
            "ntb_service:outbox_lag_seconds:max", "{{ntb_service}}")], "s"), 12, 8),
    ])


def service_red() -> Dashboard:
    rate = f"rate(grpc_server_handled_total{{{SERVICE}}}[$__rate_interval])"
    buckets = f"rate(grpc_server_handling_seconds_bucket{{{SERVICE}}}[$__rate_interval])"
    return _dashboard("ntb-service-red", "NTB / Service RED", [
        (_series("Rate by method", [_target(
            f"sum by (ntb_service, grpc_method) ({rate})",
            "{{ntb_service}} {{grpc_method}}")], "reqps"), 12, 9),
        (_series("Errors by code (every non-OK status)", [_target(
            "sum by (ntb_service, grpc_code) "
            f'(rate(grpc_server_handled_total{{{SERVICE}, grpc_code!="OK"}}[$__rate_interval]))',
            "{{ntb_service}} {{grpc_code}}")], "reqps"), 12, 9),
        (_series("Server-fault ratio", [_target(
            # `or ... * 0`: a service without faults shows 0, not a gap.
            f"(sum by (ntb_service) (rate(grpc_server_handled_total{{{SERVICE}, "
            f'grpc_code=~"{SERVER_FAULT_CODES}"}}[$__rate_interval])) '
            f"or sum by (ntb_service) ({rate}) * 0) / sum by (ntb_service) ({rate})",
            "{{ntb_service}}")], "percentunit"), 8, 8),
        (_series("Latency p50 by method", [_target(
            f"histogram_quantile(0.5, sum by (ntb_service, grpc_method, le) ({buckets}))",
            "{{ntb_service}} {{grpc_method}}")], "s"), 8, 8),
        (_series("Latency p99 by method", [_target(
            f"histogram_quantile(0.99, sum by (ntb_service, grpc_method, le) ({buckets}))",
            "{{ntb_service}} {{grpc_method}}")], "s"), 8, 8),
    ], _service_variable())


def messaging() -> Dashboard:
    return _dashboard("ntb-messaging", "NTB / Kafka consumers and outbox", [
        (_series("Consumer lag (event created -> handled) by group", [_target(
            f"max by (ntb_service, group) (ntb_event_consumer_lag_seconds{{{SERVICE}}})",
            "{{ntb_service}} {{group}}")], "s"), 12, 8),
        (_series("Events consumed by outcome", [_target(
            "sum by (ntb_service, topic, outcome) "
            f"(rate(ntb_events_consumed_total{{{SERVICE}}}[$__rate_interval]))",
            "{{ntb_service}} {{topic}} {{outcome}}")], "ops"), 12, 8),
        (_series("Event handling p99 by group", [_target(
            "histogram_quantile(0.99, sum by (ntb_service, group, le) "
            f"(rate(ntb_event_handle_seconds_bucket{{{SERVICE}}}[$__rate_interval])))",
            "{{ntb_service}} {{group}}")], "s"), 8, 8),
        (_series("Outbox backlog (rows waiting)", [_target(
            f"sum by (ntb_service) (ntb_outbox_pending_events{{{SERVICE}}})",
            "{{ntb_service}}")]), 8, 8),
        (_series("Oldest unpublished outbox event", [_target(
            f"max by (ntb_service) (ntb_outbox_lag_seconds{{{SERVICE}}})",
            "{{ntb_service}}")], "s"), 8, 8),
        (_series("Events published", [_target(
            "sum by (ntb_service) "
            f"(rate(ntb_outbox_published_total{{{SERVICE}}}[$__rate_interval]))",
            "{{ntb_service}}")], "ops"), 24, 7),
    ], _service_variable())


def laborcoin_economy() -> Dashboard:
    transfers = "rate(ntb_laborcoin_transfers_total[$__rate_interval])"
    return _dashboard("ntb-laborcoin-economy", "NTB / Labor Coin economy", [
        (_series("Outstanding supply vs issuance cap (LBC)", [
            _target("max(ntb_laborcoin_outstanding_supply_units) / 1e6", "outstanding supply"),
            _target("max(ntb_laborcoin_issuance_cap_units) / 1e6", "issuance cap", "B"),
        ]), 12, 9),
        (_stat("Supply / cap", [_target("ntb:laborcoin_supply_to_cap:ratio", "ratio")],
               "percentunit"), 6, 9),
        (_stat("Coin price (CNY per LBC)", [_target(
            "max(ntb_laborcoin_coin_price_cny)", "price")]), 6, 9),
        (_series("Coin price (market return wave)", [_target(
            "max(ntb_laborcoin_coin_price_cny)", "CNY per LBC")]), 12, 8),
        (_series("Transfers by code and result", [_target(
            f"sum by (code, result) ({transfers})", "{{code}} {{result}}")], "ops"), 12, 8),
        (_series("Platform fees and retirements", [_target(
            'sum by (code) (rate(ntb_laborcoin_transfers_total{code=~"PLATFORM_FEE|RETIREMENT",'
            ' result="OK"}[$__rate_interval]))', "{{code}}")], "ops"), 12, 7),
        (_series("Transfer groups re-run call by call, by reason", [_target(
            "sum by (reason) (rate(ntb_laborcoin_group_reruns_total[$__rate_interval]))",
            "{{reason}}")], "ops"), 12, 7),
    ])


def scf_exchange() -> Dashboard:
    """The Global Supply Chain Financial Trading Center (scf-exchange's analytics gauges,
    minor units of each asset; CNY and USD have two decimals)."""
    def by(dimension: str, metric: str) -> Target:
        return _target(f'sum by (slice, asset) ({metric}{{dimension="{dimension}"}}) / 100',
                       "{{slice}} {{asset}}")

    return _dashboard("ntb-scf-exchange", "NTB / Supply chain finance (wing 1)", [
        (_series("Financed volume by alliance", [by(
            "alliance", "ntb_scf_financed_volume_units")]), 12, 8),
        (_series("Outstanding by alliance", [by(
            "alliance", "ntb_scf_outstanding_units")]), 12, 8),
        (_series("Financed volume by chain type", [by(
            "chain_type", "ntb_scf_financed_volume_units")]), 8, 8),
        (_series("Outstanding by chain type", [by(
            "chain_type", "ntb_scf_outstanding_units")]), 8, 8),
        (_series("Defaulted by chain type", [by(
            "chain_type", "ntb_scf_defaulted_units")]), 8, 8),
        (_stat("Default rate by chain type (count)", [_target(
            'sum by (slice) (ntb_scf_financings_defaulted{dimension="chain_type"}) / '
            'sum by (slice) (ntb_scf_financings_funded{dimension="chain_type"})',
            "{{slice}}")], "percentunit"), 24, 5),
    ])


DASHBOARDS = {
    "ntb-overview": overview,
    "ntb-service-red": service_red,
    "ntb-messaging": messaging,
    "ntb-laborcoin-economy": laborcoin_economy,
    "ntb-scf-exchange": scf_exchange,
}


def render(build: Any) -> str:
    data = build().to_json_data()
    return json.dumps(data, cls=DashboardEncoder, indent=2, sort_keys=True) + "\n"


def outputs() -> dict[Path, str]:
    """Every file this script owns, with the text it must have."""
    files = {}
    for name, build in DASHBOARDS.items():
        text = render(build)
        files[OUTPUT_DIR / f"{name}.json"] = text
        files[CHART_FILES / "dashboards" / f"{name}.json"] = text
    files[CHART_FILES / "prometheus-rules.yml"] = RULES.read_text()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="fail if a checked-in file is not what this script writes")
    args = parser.parse_args()
    stale = []
    for path, text in outputs().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("out of date (run `make dashboards`):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
