#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local PostgreSQL for development and tests, on loopback and a non-default port.
#
#   tools/infra/postgres.sh up       install if needed, init the cluster, start it, create role/dbs
#   tools/infra/postgres.sh down     stop it (fast mode)
#   tools/infra/postgres.sh status   print state; exit 0 when running, 1 when stopped
#   tools/infra/postgres.sh url [DB] print postgresql+asyncpg://ntb:ntb@127.0.0.1:PORT/DB (DB=ntb)
#   tools/infra/postgres.sh reset    stop it and delete the cluster
#
# Environment: NTB_PG_PORT (55432), NTB_INFRA_DIR (<repo>/.local/infra).
# Cluster: $NTB_INFRA_DIR/postgres, log $NTB_INFRA_DIR/postgres.log, socket dir
# $NTB_INFRA_DIR/pg-run. Role ntb/ntb (superuser), databases ntb and ntb_test.
set -euo pipefail

INFRA_NAME=postgres
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_PORT="${NTB_PG_PORT:-55432}"
PG_USER=ntb
PG_PASSWORD=ntb
PG_DATABASES=(ntb ntb_test)
PG_TIMEOUT=60
PG_OS_USER=postgres          # the server refuses to run as root
PG_SUPERUSER=postgres        # bootstrap superuser, local socket (trust) only

PGDATA="$INFRA_DIR/postgres"
PG_RUN_DIR="$INFRA_DIR/pg-run"
PG_LOG="$INFRA_DIR/postgres.log"

# As root the server runs as the `postgres` OS user; that user must be able to
# reach $INFRA_DIR. When it cannot (e.g. a checkout under /root, mode 0700),
# the cluster goes to a per-checkout directory under /var/tmp instead.
if [[ $EUID -eq 0 ]] && id "$PG_OS_USER" >/dev/null 2>&1 \
   && ! runuser -u "$PG_OS_USER" -- test -x "$INFRA_DIR" 2>/dev/null; then
  alt="/var/tmp/ntb-infra-$(printf '%s' "$INFRA_DIR" | md5sum | cut -c1-12)"
  PGDATA="$alt/postgres"; PG_RUN_DIR="$alt/pg-run"; PG_LOG="$alt/postgres.log"
fi
# Unix socket paths are limited to 107 bytes.
if (( ${#PG_RUN_DIR} + 20 > 107 )); then
  PG_RUN_DIR="/tmp/ntb-pg-$PG_PORT"
fi

PG_BIN=""
find_pg_bin() {
  local d
  PG_BIN=""
  # newest major version first
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
      PG_BIN="$d"; return 0
    fi
  done
  return 1
}

ensure_installed() {
  find_pg_bin && return 0
  log "PostgreSQL not found: installing Debian's postgresql package"
  apt_install postgresql
  find_pg_bin || die "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
}

# Run a command as the server's OS user (root) or as ourselves (non-root).
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

is_running() {
  [[ -f "$PGDATA/PG_VERSION" && -f "$PGDATA/postmaster.pid" ]] || return 1
  [[ -n "$PG_BIN" ]] || find_pg_bin || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

psql_super() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN_DIR" -p "$PG_PORT" \
    -U "$PG_SUPERUSER" -d postgres "$@"
}

write_config() {
  local conf="$PGDATA/ntb.conf" new
  new="$(cat <<EOF
# Written by tools/infra/postgres.sh on every 'up'; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN_DIR'
max_connections = 200
shared_buffers = 128MB
effective_cache_size = 1GB
work_mem = 8MB
maintenance_work_mem = 64MB
max_wal_size = 1GB
min_wal_size = 80MB
fsync = on
synchronous_commit = on
random_page_cost = 1.1
max_worker_processes = 4
max_parallel_workers = 2
max_parallel_workers_per_gather = 1
max_parallel_maintenance_workers = 1
password_encryption = scram-sha-256
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
)"
  if [[ -f "$conf" ]] && [[ "$(cat "$conf")" == "$new" ]]; then
    return 1   # unchanged
  fi
  printf '%s\n' "$new" >"$conf"
  [[ $EUID -eq 0 ]] && chown "$PG_OS_USER:" "$conf"
  grep -q "^include_if_exists = 'ntb.conf'" "$PGDATA/postgresql.conf" \
    || printf "\ninclude_if_exists = 'ntb.conf'\n" >>"$PGDATA/postgresql.conf"
  return 0
}

init_cluster() {
  if [[ -f "$PGDATA/PG_VERSION" ]]; then
    local have want
    have="$(cat "$PGDATA/PG_VERSION")"
    want="$(basename "$(dirname "$PG_BIN")")"
    [[ "$have" == "$want" ]] || die "cluster in $PGDATA is PostgreSQL $have but $want is installed; run '$0 reset'"
    return 0
  fi
  log "initdb $PGDATA"
  mkdir -p "$PGDATA"
  if [[ $EUID -eq 0 ]]; then
    id "$PG_OS_USER" >/dev/null 2>&1 || die "OS user '$PG_OS_USER' missing (it comes with Debian's postgresql package)"
    chown "$PG_OS_USER:" "$PGDATA"
  fi
  chmod 700 "$PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U "$PG_SUPERUSER" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$PGDATA.initdb.log" 2>&1 \
    || { cat "$PGDATA.initdb.log" >&2; die "initdb failed"; }
  rm -f "$PGDATA.initdb.log"
}

wait_ready() {
  local deadline=$((SECONDS + PG_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
    if (( SECONDS >= deadline )); then
      tail -n 30 "$PG_LOG" >&2 || true
      die "not accepting connections on 127.0.0.1:$PG_PORT after ${PG_TIMEOUT}s (log: $PG_LOG)"
    fi
    sleep 0.2
  done
}

ensure_roles() {
  local db
  psql_super <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL
  for db in "${PG_DATABASES[@]}"; do
    psql_super -At <<SQL
SELECT 'CREATE DATABASE $db OWNER $PG_USER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')
\gexec
SQL
  done
}

cmd_up() {
  ensure_installed
  if ! is_running && port_open "$PG_PORT"; then
    die "port 127.0.0.1:$PG_PORT is taken by another process (set NTB_PG_PORT)"
  fi
  init_cluster
  mkdir -p "$PG_RUN_DIR"
  touch "$PG_LOG"
  if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER:" "$PG_RUN_DIR" "$PG_LOG"; fi
  local changed=0
  write_config && changed=1
  if is_running; then
    if (( changed )); then
      log "configuration changed: restarting"
      as_pg "$PG_BIN/pg_ctl" restart -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" -l "$PG_LOG" >/dev/null
    else
      log "already running on 127.0.0.1:$PG_PORT"
    fi
  else
    log "starting on 127.0.0.1:$PG_PORT (data $PGDATA, log $PG_LOG)"
    as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$PG_LOG" -w -t "$PG_TIMEOUT" >/dev/null \
      || { tail -n 30 "$PG_LOG" >&2 || true; die "pg_ctl start failed (log: $PG_LOG)"; }
  fi
  wait_ready
  ensure_roles
  log "ready: $(cmd_url)"
}

cmd_down() {
  if is_running; then
    log "stopping"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" >/dev/null
    log "stopped"
  else
    log "not running"
  fi
}

cmd_status() {
  if is_running; then
    log "running: pid $(head -n1 "$PGDATA/postmaster.pid"), 127.0.0.1:$PG_PORT, data $PGDATA"
  else
    log "stopped"
    return 1
  fi
}

cmd_url() {
  printf 'postgresql+asyncpg://%s:%s@127.0.0.1:%s/%s\n' "$PG_USER" "$PG_PASSWORD" "$PG_PORT" "${1:-ntb}"
}

cmd_reset() {
  cmd_down
  log "deleting $PGDATA"
  rm -rf "$PGDATA"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  url) cmd_url "${2:-}" ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 up|down|status|url [db]|reset" >&2; exit 2 ;;
esac
