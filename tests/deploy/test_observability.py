"""Dashboards, rules and traces are proven against the real services.

How: the six services run as processes on the test PostgreSQL and Kafka (as
`make run-distributed` runs them), with their OTLP exporter pointed at an in-process
OTLP/gRPC trace receiver. A real Prometheus (Debian's package) scrapes their /metrics
every second and evaluates deploy/grafana/prometheus-rules.yml while a little traffic flows
(registrations, bad requests, wallet look-ups, the compose e2e runner). Then the PromQL
of every dashboard panel and every recording rule must return data; panels whose metrics
do not exist yet are listed in PENDING with the reason (and fail once they get data, so
the list stays true). One registration sent with a traceparent must come back as one
trace holding identity's server span, the Kafka hop (identity's publish span) and
laborcoin's consume span.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
import yaml
from deploy_checks import ROOT
from e2e_suite import DistributedSuite
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2

from ntb.common.v1.common_pb2 import Money
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.suite import DEVELOPMENT_OPERATOR_SECRET, SUITE
from ntbkit.testing import port_under_test

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

GRPC_PORT_BASE = port_under_test(1300)
METRICS_PORT_BASE = port_under_test(1320)
PROMETHEUS_PORT = port_under_test(1340)
OTLP_PORT = port_under_test(1341)
PARTS = {"scf-exchange": "wing-scf"}  # the others of a local run are the body
TRAFFIC_S = 8.0
DATA_DEADLINE_S = 40.0  # generous: a loaded 2-core CI machine; waits end as soon as data arrives
RULES = ROOT / "deploy" / "grafana" / "prometheus-rules.yml"
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
# (dashboard uid or "rules", panel title or recorded series) -> why it has no data here yet.
NO_LABOR_ENTRUSTED = ("the issuance cap is 0 until labor is entrusted (matching's signed "
                      "entrustments reach laborcoin); this traffic entrusts none, so "
                      "supply / (cap > 0) is empty")
FEES_NOT_COUNTED = ("ntb_laborcoin_transfers_total counts the transfers of CreateTransfers "
                    "only; the PLATFORM_FEE and RETIREMENT transfers that SettleEscrow makes "
                    "are not counted yet (laborcoin, issue 3)")
NO_FINANCING = ("scf-exchange's analytics gauges have a series per alliance and chain type "
                "once a financing is funded; this traffic funds none (the scf tests do)")
PENDING = {
    **{("ntb-scf-exchange", title): NO_FINANCING for title in (
        "Financed volume by alliance", "Outstanding by alliance",
        "Financed volume by chain type", "Outstanding by chain type",
        "Defaulted by chain type", "Default rate by chain type (count)")},
    ("ntb-laborcoin-economy", "Supply / cap"): NO_LABOR_ENTRUSTED,
    ("rules", "ntb:laborcoin_supply_to_cap:ratio"): NO_LABOR_ENTRUSTED,
    ("ntb-laborcoin-economy", "Platform fees and retirements"): FEES_NOT_COUNTED,
}


# --- an in-process OTLP/gRPC trace receiver -------------------------------------------

@dataclass
class TraceReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    spans: list[tuple[str, trace_pb2.Span]] = field(default_factory=list)  # (service, span)

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value
                          for a in resource_spans.resource.attributes}
            service = attributes.get("service.name", "")
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend((service, span) for span in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def trace(self, trace_id: bytes) -> list[tuple[str, trace_pb2.Span]]:
        return [(service, span) for service, span in list(self.spans)
                if span.trace_id == trace_id]


@pytest.fixture(scope="module")
def receiver() -> Iterator[TraceReceiver]:
    receiver = TraceReceiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    server.add_insecure_port(f"127.0.0.1:{OTLP_PORT}")
    server.start()
    yield receiver
    server.stop(grace=None)


# --- the suite, observed ---------------------------------------------------------------

class ObservedSuite(DistributedSuite):
    """The distributed suite on its own ports, exporting traces to the receiver."""

    def port(self, name: str) -> int:
        return GRPC_PORT_BASE + [m.name for m in SUITE].index(name)

    def metrics_port(self, name: str) -> int:
        return METRICS_PORT_BASE + [m.name for m in SUITE].index(name)

    def environment(self, name: str) -> dict[str, str]:
        env = super().environment(name)
        p = next(m.env_prefix for m in SUITE if m.name == name)
        env.update({
            f"{p}METRICS_PORT": str(self.metrics_port(name)),
            f"{p}OTLP_ENDPOINT": f"http://127.0.0.1:{OTLP_PORT}",
            f"{p}CONSUMER_GROUP_PREFIX": f"observe-{self.run_id}.",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        })
        return env

    async def stop_all(self) -> dict[str, int]:
        """SIGTERM what still runs (a process that died early must not leave the rest)."""
        for process in self.processes.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                codes[name] = await process.wait()
        self.processes.clear()
        return codes


def prometheus_config(suite: ObservedSuite, directory: Path) -> Path:
    """Scrape every second; the rules as shipped, evaluated every second."""
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        group["interval"] = "1s"
    rules_path = directory / "rules.yml"
    rules_path.write_text(yaml.safe_dump(rules))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_path)],
        "scrape_configs": [{
            "job_name": "ntb",
            "static_configs": [
                {"targets": [f"127.0.0.1:{suite.metrics_port(m.name)}"],
                 "labels": {"ntb_service": m.name, "ntb_part": PARTS.get(m.name, "body")}}
                for m in SUITE
            ],
        }],
    }
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def query(expr: str) -> list[dict[str, Any]]:
    url = (f"http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/query?"
           + urllib.parse.urlencode({"query": expr}))
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def has_data(result: list[dict[str, Any]]) -> bool:
    return any(not math.isnan(float(sample["value"][1])) for sample in result)


@dataclass
class Observed:
    suite: ObservedSuite
    receiver: TraceReceiver
    token: str


async def wait_until(predicate: Any, timeout_s: float, interval_s: float = 0.5) -> bool:
    deadline_s = time.monotonic() + timeout_s
    while time.monotonic() < deadline_s:
        if predicate():
            return True
        await asyncio.sleep(interval_s)
    return bool(predicate())


def person(name: str = "Li Wei") -> idpb.RegisterPrincipalRequest:
    return idpb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_PERSON, display_name=name,
        country_code="CN", region="CN-GD", industry_code="C26",
        person=idpb.PersonProfile(birth_year=1990, experience_years=8, education="bachelor",
                                  skills=["python"]),
    )


def payment_between_unknown_accounts() -> lcpb.CreateTransfersRequest:
    """A transfer the ledger refuses per transfer (DEBIT_ACCOUNT_NOT_FOUND): counted by
    code and result without moving money."""
    return lcpb.CreateTransfersRequest(request_id=str(uuid.uuid4()), transfers=[
        lcpb.Transfer(transfer_id=str(uuid.uuid4()), debit_account_id=str(uuid.uuid4()),
                      credit_account_id=str(uuid.uuid4()),
                      amount=Money(asset="LBC", units=1), code=lcpb.TRANSFER_CODE_PAYMENT)])


async def traffic(suite: ObservedSuite, token: str, duration_s: float) -> None:
    """A little of everything a bank does: registrations (events to laborcoin), bad input,
    wallet look-ups, unauthenticated calls, a refused transfer."""
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(suite.target("identity")) as identity_channel, \
            grpc.aio.insecure_channel(suite.target("laborcoin")) as laborcoin_channel:
        identity = identity_pb2_grpc.IdentityServiceStub(identity_channel)
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(laborcoin_channel)
        ended_s = time.monotonic() + duration_s
        while time.monotonic() < ended_s:
            registered = await identity.RegisterPrincipal(person(), metadata=metadata,
                                                          timeout=10)
            for bad_call in (
                identity.RegisterPrincipal(person("   "), metadata=metadata, timeout=10),
                identity.RegisterPrincipal(person(), timeout=10),
            ):
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await bad_call
            owner = lcpb.AccountOwnerKey(owner_id=registered.principal.principal_id,
                                         asset="LBC", kind=lcpb.ACCOUNT_KIND_WALLET)
            # NOT_FOUND while the event is on its way: also a status by code.
            with contextlib.suppress(grpc.aio.AioRpcError):
                await laborcoin.GetAccount(lcpb.GetAccountRequest(owner=owner),
                                           metadata=metadata, timeout=5)
            await laborcoin.CreateTransfers(payment_between_unknown_accounts(),
                                            metadata=metadata, timeout=5)
            await asyncio.sleep(0.25)


def compose_runner(suite: ObservedSuite) -> subprocess.CompletedProcess[str]:
    """The e2e runner of deploy/compose, pointed at this suite."""
    env = dict(os.environ, NTB_E2E_CLIENT_SECRET=DEVELOPMENT_OPERATOR_SECRET)
    for member in SUITE:
        env[f"NTB_E2E_{member.name.upper().replace('-', '_')}_TARGET"] = suite.target(
            member.name)
    return subprocess.run([sys.executable, str(ROOT / "tools" / "deploy" / "compose_e2e.py")],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def observed(
    tools: dict[str, str], receiver: TraceReceiver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Observed]:
    suite = ObservedSuite()
    directory = tmp_path_factory.mktemp("prometheus")
    prometheus = subprocess.Popen(
        [tools["prometheus"], f"--config.file={prometheus_config(suite, directory)}",
         f"--storage.tsdb.path={directory / 'data'}",
         f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        await suite.start_all()
        exited = {name: p.returncode for name, p in suite.processes.items()
                  if p.returncode is not None}
        assert not exited, f"services exited at start (ports in use?): {exited}"
        token = await suite.operator_token()
        runner = await asyncio.to_thread(compose_runner, suite)
        assert runner.returncode == 0, runner.stdout + runner.stderr
        await traffic(suite, token, TRAFFIC_S)
        yield Observed(suite, receiver, token)
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)
        await suite.stop_all()
        await suite.drop_schemas()


# --- the checks ------------------------------------------------------------------------

def panel_queries() -> list[tuple[str, str, str]]:
    """(dashboard uid, panel title, PromQL with the dashboard variables filled in)."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = (target["expr"].replace("$__rate_interval", "1m")
                        .replace("$service", ".+"))
                found.append((dashboard["uid"], panel["title"], expr))
    return found


def recording_rules() -> list[tuple[str, str]]:
    rules = yaml.safe_load(RULES.read_text())
    return [(rule["record"], rule["expr"]) for group in rules["groups"]
            for rule in group["rules"] if "record" in rule]


async def test_every_dashboard_panel_returns_data(observed: Observed) -> None:
    queries = panel_queries()
    assert len({(uid, title) for uid, title, _ in queries}) >= 20
    empty = {}
    for uid, title, expr in queries:
        pending = (uid, title) in PENDING
        await wait_until(lambda e=expr: has_data(query(e)), 0 if pending else DATA_DEADLINE_S)
        returned = has_data(query(expr))
        if pending:
            assert not returned, f"{uid} / {title} has data now: remove it from PENDING"
        elif not returned:
            empty[f"{uid} / {title}"] = expr
    assert not empty, f"panels without data: {json.dumps(empty, indent=1)}"


async def test_every_recording_rule_returns_data(observed: Observed) -> None:
    empty = {}
    for record, expr in recording_rules():
        pending = ("rules", record) in PENDING
        for promql in (expr, record):  # the expression, and the series Prometheus recorded
            await wait_until(lambda e=promql: has_data(query(e)),
                             0 if pending else DATA_DEADLINE_S)
            returned = has_data(query(promql))
            if pending:
                assert not returned, f"{record} has data now: remove it from PENDING"
            elif not returned:
                empty[record] = promql
    assert not empty, f"recording rules without data: {empty}"


async def test_one_registration_is_one_trace_through_identity_kafka_and_laborcoin(
    observed: Observed,
) -> None:
    trace_id = uuid.uuid4().bytes
    traceparent = f"00-{trace_id.hex()}-{uuid.uuid4().hex[:16]}-01"
    async with grpc.aio.insecure_channel(observed.suite.target("identity")) as channel:
        await identity_pb2_grpc.IdentityServiceStub(channel).RegisterPrincipal(
            person("Zhao Lei"), timeout=10,
            metadata=(("authorization", f"Bearer {observed.token}"),
                      ("traceparent", traceparent)),
        )

    def hop_complete() -> bool:  # spans reach the receiver from each process on its own
        spans = observed.receiver.trace(trace_id)
        return all(any(service == s and span.kind == kind and span.name.endswith(name)
                       for service, span in spans)
                   for s, kind, name in (
                       ("identity", trace_pb2.Span.SPAN_KIND_SERVER, "/RegisterPrincipal"),
                       ("identity", trace_pb2.Span.SPAN_KIND_PRODUCER,
                        "publish ntb.identity.principal.v1"),
                       ("laborcoin", trace_pb2.Span.SPAN_KIND_CONSUMER,
                        "consume ntb.identity.principal.v1")))

    await wait_until(hop_complete, DATA_DEADLINE_S, interval_s=0.2)
    spans = observed.receiver.trace(trace_id)
    described = sorted(f"{service}: {span.name} ({span.kind})" for service, span in spans)
    server = [span for service, span in spans if service == "identity"
              and span.kind == trace_pb2.Span.SPAN_KIND_SERVER
              and span.name.endswith("/RegisterPrincipal")]
    publish = [span for service, span in spans if service == "identity"
               and span.kind == trace_pb2.Span.SPAN_KIND_PRODUCER
               and span.name == "publish ntb.identity.principal.v1"]
    consume = [span for service, span in spans if service == "laborcoin"
               and span.kind == trace_pb2.Span.SPAN_KIND_CONSUMER
               and span.name == "consume ntb.identity.principal.v1"]
    assert server and publish and consume, f"trace {trace_id.hex()}: {described}"
    assert publish[0].parent_span_id == server[0].span_id, "publish is a child of the RPC"
    assert consume[0].parent_span_id == publish[0].span_id, "consume follows the publish"
