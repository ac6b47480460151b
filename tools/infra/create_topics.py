#!/usr/bin/env python3
"""Create the topics of deploy/kafka/topics.txt (and a ``<name>.dlq`` for each).

Used by tools/infra/kafka.sh with the workspace venv (confluent_kafka); one
AdminClient does what would otherwise take one JVM per topic.

    create_topics.py --bootstrap 127.0.0.1:59092 [--topics-file F] [--timeout S]
    create_topics.py --bootstrap ... --check   # only wait until the broker answers metadata
    create_topics.py --bootstrap ... --list    # ensure the topics, then print name/partitions
    create_topics.py --bootstrap ... --warmup  # ensure the topics, then warm up (see below)

Idempotent: existing topics are kept; a topic with fewer partitions than
listed is grown (Kafka cannot shrink one: that is reported, not fixed).
Returns once every listed topic has a leader for every partition. With
--warmup (kafka.sh passes it after starting the broker) it then also warms
the group coordinator (__consumer_offsets), the producer-id allocator and the
transaction coordinator (__transaction_state), so that a test's first
consumer group or idempotent producer does not wait for them.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # re-exported from cimpl
    AdminClient,
    ClusterMetadata,
    NewPartitions,
    NewTopic,
)

DEFAULT_TOPICS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "topics.txt"


_T0 = time.monotonic()
VERBOSE = False


def debug(msg: str) -> None:
    if VERBOSE:
        print(f"[{time.monotonic() - _T0:6.2f}s] {msg}", file=sys.stderr)


def read_topics(path: Path) -> dict[str, int]:
    """``name partitions`` lines, ``#`` comments; every topic also gets ``<name>.dlq``."""
    topics: dict[str, int] = {}
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) < 1:
            raise SystemExit(f"{path}:{lineno}: expected 'name partitions', got {raw!r}")
        name, partitions = parts[0], int(parts[1])
        topics[name] = partitions
        topics[f"{name}.dlq"] = partitions
    return topics


def quiet_logger() -> logging.Logger:
    # librdkafka logs every refused connection while the broker starts: drop them.
    logger = logging.getLogger("ntb.create_topics.librdkafka")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger


def wait_metadata(admin: AdminClient, deadline: float) -> ClusterMetadata:
    last: Exception | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SystemExit(f"broker did not answer metadata in time (last error: {last})")
        try:
            md = admin.list_topics(timeout=min(5.0, max(remaining, 0.5)))
            if md.brokers:
                return md
        except KafkaException as exc:
            last = exc
        time.sleep(0.2)


def ensure_topics(admin: AdminClient, wanted: dict[str, int], rf: int, deadline: float) -> None:
    md = wait_metadata(admin, deadline)
    existing = {name: len(t.partitions) for name, t in md.topics.items() if t.error is None}

    missing = [
        NewTopic(n, num_partitions=p, replication_factor=rf)
        for n, p in wanted.items()
        if n not in existing
    ]
    grow = [NewPartitions(n, p) for n, p in wanted.items() if n in existing and existing[n] < p]
    for n, p in wanted.items():
        if n in existing and existing[n] > p:
            print(
                f"warning: {n} has {existing[n]} partitions, topics.txt says {p}"
                " (Kafka cannot shrink a topic)",
                file=sys.stderr,
            )

    debug(f"metadata: {len(existing)} topics, {len(missing)} to create, {len(grow)} to grow")
    failures: list[str] = []
    if missing:
        created = admin.create_topics(missing, operation_timeout=30, request_timeout=35)
        for name, fut in created.items():
            try:
                fut.result()
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    failures.append(f"create {name}: {exc.args[0]}")
    if grow:
        grown = admin.create_partitions(grow, operation_timeout=30, request_timeout=35)
        for name, fut in grown.items():
            try:
                fut.result()
            except KafkaException as exc:
                failures.append(f"grow {name}: {exc.args[0]}")
    if failures:
        raise SystemExit("\n".join(failures))

    debug("create/grow requests done")
    # Wait until every partition of every wanted topic has a leader.
    while True:
        md = admin.list_topics(timeout=10)
        pending = [
            n
            for n, p in wanted.items()
            if n not in md.topics
            or md.topics[n].error is not None
            or len(md.topics[n].partitions) < p
            or any(pm.leader < 0 for pm in md.topics[n].partitions.values())
        ]
        if not pending:
            debug("all partitions have leaders")
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"topics without leaders after timeout: {', '.join(sorted(pending))}")
        time.sleep(0.2)
    print(
        f"topics: {len(wanted)} wanted, {len(missing)} created, {len(grow)} grown, "
        f"{len(wanted) - len(missing) - len(grow)} already present"
    )


def warm_group_coordinator(admin: AdminClient, deadline: float) -> None:
    """Best effort: make the broker create __consumer_offsets now (FindCoordinator),
    so the first consumer group of a test does not wait for it."""
    while time.monotonic() < deadline:
        group = "ntb-infra-warmup"
        fut = admin.describe_consumer_groups([group], request_timeout=1)[group]
        try:
            fut.result()
            debug("group coordinator ready")
            return
        except KafkaException as exc:
            debug(f"group coordinator: {exc}")
            time.sleep(0.2)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def warm_producer_ids(bootstrap: str, timeout: float) -> None:
    """Best effort: make the broker fetch its first block of producer ids now, and
    create __transaction_state. Otherwise the first idempotent producer after a
    broker start gets COORDINATOR_LOAD_IN_PROGRESS (logged by librdkafka as
    GETPID) and retries, and the first transactional one waits for the topic."""
    deadline = time.monotonic() + max(timeout, 1.0)
    # 1. An idempotent producer: wait until librdkafka reports its PID assigned.
    collect = _Collect()
    logger = logging.getLogger("ntb.create_topics.warmup")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(collect)
    conf: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "debug": "eos",
        "logger": logger,
    }
    producer = Producer(conf)
    while time.monotonic() < deadline:
        producer.poll(0.05)
        if any("-> Assigned" in m for m in collect.messages):
            debug("producer ids ready")
            break
    else:
        debug("producer ids: no PID before timeout")
    logger.removeHandler(collect)
    # 2. A transactional producer (fixed id, so nothing accumulates).
    conf = {
        "bootstrap.servers": bootstrap,
        "transactional.id": "ntb-infra-warmup",
        "logger": quiet_logger(),
    }
    try:
        Producer(conf).init_transactions(max(deadline - time.monotonic(), 1.0))
        debug("transaction coordinator ready")
    except KafkaException as exc:
        debug(f"transaction coordinator: {exc}")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bootstrap", default="127.0.0.1:59092")
    ap.add_argument("--topics-file", type=Path, default=DEFAULT_TOPICS_FILE)
    ap.add_argument("--replication-factor", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds for the whole run")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="only wait until the broker answers metadata"
    )
    mode.add_argument(
        "--list", action="store_true", help="print all topics with partition counts afterwards"
    )
    ap.add_argument(
        "--warmup",
        action="store_true",
        help="also warm the group coordinator and producer ids (after a broker start)",
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="timings on stderr")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose

    deadline = time.monotonic() + args.timeout
    conf: dict[str, Any] = {
        "bootstrap.servers": args.bootstrap,
        "logger": quiet_logger(),
        "socket.connection.setup.timeout.ms": 5000,
        "reconnect.backoff.ms": 100,
        "reconnect.backoff.max.ms": 500,
    }
    admin = AdminClient(conf)
    if args.check:
        md = wait_metadata(admin, deadline)
        print(f"broker answers metadata: {len(md.brokers)} broker(s), cluster {md.cluster_id}")
        return 0
    ensure_topics(admin, read_topics(args.topics_file), args.replication_factor, deadline)
    if args.warmup:
        warm_group_coordinator(admin, min(deadline, time.monotonic() + 30))
        warm_producer_ids(args.bootstrap, min(deadline - time.monotonic(), 15.0))
    if args.list:
        md = admin.list_topics(timeout=10)
        for name in sorted(md.topics):
            print(f"{name} {len(md.topics[name].partitions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
