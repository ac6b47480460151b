#!/usr/bin/env bash
# Start the local infrastructure (idempotent): PostgreSQL on 127.0.0.1:${NTB_PG_PORT:-55432}
# and Kafka on 127.0.0.1:${NTB_KAFKA_PORT:-59092}. Both start in parallel; a server
# that is already running is left as it is. Exports nothing: see the endpoints printed.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

pg_rc=0 kafka_rc=0
if command -v java >/dev/null && command -v mvn >/dev/null; then
  "$dir/postgres.sh" up &
  pg_pid=$!
  "$dir/kafka.sh" up || kafka_rc=$?
  wait "$pg_pid" || pg_rc=$?
else
  # kafka.sh would install Java/Maven with apt: don't race postgres.sh's apt for the lock.
  "$dir/postgres.sh" up || pg_rc=$?
  "$dir/kafka.sh" up || kafka_rc=$?
fi
if (( pg_rc != 0 || kafka_rc != 0 )); then
  echo "[infra] FAILED (postgres exit $pg_rc, kafka exit $kafka_rc)" >&2
  exit 1
fi
echo "[infra] PostgreSQL: $("$dir/postgres.sh" url)  (tests: $("$dir/postgres.sh" url ntb_test))"
echo "[infra] Kafka:      127.0.0.1:${NTB_KAFKA_PORT:-59092}"
