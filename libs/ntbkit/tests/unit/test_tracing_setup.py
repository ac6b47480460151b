"""Without an OTLP endpoint a process records no span of its own making, yet every span
still has ids that propagate; a caller's sampled trace is recorded all the same. With
an endpoint every span is recorded. Each case runs in a fresh interpreter: the tracer
provider is set once per process."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from opentelemetry import propagate, trace
from ntbkit.telemetry.setup import configure_tracing
configure_tracing(service_name="probe", otlp_endpoint=sys.argv[1] or None)
tracer = trace.get_tracer("probe")
with tracer.start_as_current_span("root") as root:
    carrier = {}
    propagate.inject(carrier)
    seen = {"root_recording": root.is_recording(),
            "root_has_ids": root.get_span_context().is_valid,
            "traceparent": carrier.get("traceparent", "")}
parent = propagate.extract(
    {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
with tracer.start_as_current_span("child", context=parent) as child:
    seen["child_recording"] = child.is_recording()
print(json.dumps(seen))
"""


def _probe(endpoint: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _PROBE, endpoint], check=True,
                          capture_output=True, text=True, timeout=60)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _sampled(traceparent: object) -> bool:
    flags = str(traceparent).rsplit("-", 1)[1]
    return bool(int(flags, 16) & 1)


def test_without_an_endpoint_roots_carry_ids_but_record_nothing() -> None:
    seen = _probe("")
    assert seen["root_recording"] is False
    assert seen["root_has_ids"] is True
    assert _sampled(seen["traceparent"]) is False  # propagated, not sampled
    assert seen["child_recording"] is True  # the caller sampled it


def test_with_an_endpoint_every_span_is_recorded() -> None:
    seen = _probe("http://127.0.0.1:4317")  # nothing listens: spans are dropped at export
    assert seen["root_recording"] is True
    assert _sampled(seen["traceparent"]) is True
