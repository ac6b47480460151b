#!/usr/bin/env python3
"""Create the topics of deploy/kafka/topics.txt (and a ``<name>.dlq`` for each).

Used by tools/infra/kafka.sh with the workspace venv (confluent_kafka); one
AdminClient does what would otherwise take one JVM per topic.

    create_topics.py --bootstrap 127.0.0.1:59092 [--topics-file F] [--timeout S]
    create_topics.py --bootstrap ... --check   # only wait until the broker answers metadata
    create_topics.py --bootstrap ... --list    # ensure the topics, then print name/partitions

Idempotent: existing topics are kept; a topic with fewer partitions than
listed is grown (Kafka cannot shrink one: that is reported, not fixed).
Exits once every listed topic has a leader for every partition.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

DEFAULT_TOPICS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "topics.txt"


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


def wait_metadata(admin: AdminClient, deadline: float):
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

    missing = [NewTopic(n, num_partitions=p, replication_factor=rf) for n, p in wanted.items() if n not in existing]
    grow = [NewPartitions(n, p) for n, p in wanted.items() if n in existing and existing[n] < p]
    for n, p in wanted.items():
        if n in existing and existing[n] > p:
            print(f"warning: {n} has {existing[n]} partitions, topics.txt says {p} (Kafka cannot shrink)", file=sys.stderr)

    failures: list[str] = []
    if missing:
        for name, fut in admin.create_topics(missing, operation_timeout=30, request_timeout=35).items():
            try:
                fut.result()
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    failures.append(f"create {name}: {exc.args[0]}")
    if grow:
        for name, fut in admin.create_partitions(grow, operation_timeout=30, request_timeout=35).items():
            try:
                fut.result()
            except KafkaException as exc:
                failures.append(f"grow {name}: {exc.args[0]}")
    if failures:
        raise SystemExit("\n".join(failures))

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
        fut = admin.describe_consumer_groups(["ntb-infra-warmup"], request_timeout=10)["ntb-infra-warmup"]
        try:
            fut.result()
            return
        except KafkaException:
            time.sleep(0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default="127.0.0.1:59092")
    ap.add_argument("--topics-file", type=Path, default=DEFAULT_TOPICS_FILE)
    ap.add_argument("--replication-factor", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds for the whole run")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only wait until the broker answers metadata")
    mode.add_argument("--list", action="store_true", help="print all topics with partition counts afterwards")
    args = ap.parse_args()

    deadline = time.monotonic() + args.timeout
    admin = AdminClient(
        {
            "bootstrap.servers": args.bootstrap,
            "logger": quiet_logger(),
            "socket.connection.setup.timeout.ms": 5000,
            "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 500,
        }
    )
    if args.check:
        md = wait_metadata(admin, deadline)
        print(f"broker answers metadata: {len(md.brokers)} broker(s), cluster {md.cluster_id}")
        return 0
    ensure_topics(admin, read_topics(args.topics_file), args.replication_factor, deadline)
    warm_group_coordinator(admin, min(deadline, time.monotonic() + 30))
    if args.list:
        md = admin.list_topics(timeout=10)
        for name in sorted(md.topics):
            print(f"{name} {len(md.topics[name].partitions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
