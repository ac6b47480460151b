#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local single-node Apache Kafka (KRaft, combined broker+controller) on loopback.
#
#   tools/infra/kafka.sh up       fetch the jars if needed, format, start, wait, create topics
#   tools/infra/kafka.sh down     stop it (SIGTERM, SIGKILL after 30 s)
#   tools/infra/kafka.sh status   print state; exit 0 when running, 1 when stopped
#   tools/infra/kafka.sh topics   create missing topics of deploy/kafka/topics.txt, list all
#   tools/infra/kafka.sh reset    stop it and delete its data
#
# The broker is assembled from Maven Central by deploy/kafka/pom.xml
# (mvn dependency:copy-dependencies) into $NTB_CACHE_DIR/kafka-<version>/libs
# and run as `java -cp "libs/*" kafka.Kafka <props>`.
#
# Environment: NTB_KAFKA_PORT (59092), NTB_KAFKA_CONTROLLER_PORT (59093),
# NTB_INFRA_DIR (<repo>/.local/infra), NTB_CACHE_DIR ($HOME/.cache/ntb),
# NTB_KAFKA_VERSION (the pom's kafka.version), NTB_KAFKA_HEAP (-Xms256m -Xmx512m),
# NTB_PYTHON (<repo>/.venv/bin/python, used for topic creation when it has
# confluent_kafka; otherwise Kafka's TopicCommand is used).
set -euo pipefail

INFRA_NAME=kafka
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_PORT="${NTB_KAFKA_PORT:-59092}"
CONTROLLER_PORT="${NTB_KAFKA_CONTROLLER_PORT:-59093}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
START_TIMEOUT=90
STOP_TIMEOUT=30
# Fixed cluster id (base64 of "ntb-local-kafka1"): the log dir is formatted once.
CLUSTER_ID="bnRiLWxvY2FsLWthZmthMQ"

KAFKA_DEPLOY_DIR="$REPO_ROOT/deploy/kafka"
POM="$KAFKA_DEPLOY_DIR/pom.xml"
TOPICS_FILE="$KAFKA_DEPLOY_DIR/topics.txt"
SERVER_LOG4J="$KAFKA_DEPLOY_DIR/log4j2.properties"
TOOLS_LOG4J="$KAFKA_DEPLOY_DIR/tools-log4j2.properties"
POM_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
KAFKA_VERSION="${NTB_KAFKA_VERSION:-$POM_VERSION}"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
LIBS_MARKER="$KAFKA_HOME/libs.complete"

LOG_DIR="$INFRA_DIR/kafka"
PROPS="$INFRA_DIR/kafka.properties"
KAFKA_LOG="$INFRA_DIR/kafka.log"
PID_FILE="$INFRA_DIR/kafka.pid"
FORMATTED="$INFRA_DIR/kafka.formatted"
HEAP_OPTS="${NTB_KAFKA_HEAP:--Xms256m -Xmx512m}"
PYTHON="${NTB_PYTHON:-$REPO_ROOT/.venv/bin/python}"

ensure_java() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    log "java/mvn not found: installing Debian's default-jdk-headless and maven"
    apt_install default-jdk-headless maven
  fi
}

# Jars of the broker, fetched once per (version, pom) into the cache.
ensure_libs() {
  local want
  want="$KAFKA_VERSION $(sha256sum "$POM" | cut -c1-64)"
  if [[ -d "$LIBS" && -f "$LIBS_MARKER" && "$(cat "$LIBS_MARKER")" == "$want" ]]; then
    return 0
  fi
  log "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS"
  mkdir -p "$KAFKA_HOME"
  local tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  local mvn_log="$KAFKA_HOME/mvn.log"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed for Kafka $KAFKA_VERSION (log: $mvn_log)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing from $tmp"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  printf '%s\n' "$want" >"$LIBS_MARKER"
  log "$(find "$LIBS" -name '*.jar' | wc -l) jars in $LIBS"
}

# A short-lived Kafka CLI JVM (StorageTool, TopicCommand): small and quick to start.
KAFKA_TOOL=(java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto
  "-Dlog4j2.configurationFile=$TOOLS_LOG4J" -cp "$LIBS/*")
kafka_tool() { "${KAFKA_TOOL[@]}" "$@"; }

python_ok() {
  [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import confluent_kafka' 2>/dev/null
}

write_props() {
  cat >"$PROPS" <<EOF
# Written by tools/infra/kafka.sh on every 'up'; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$LOG_DIR

# small box: 2 cores
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4

# single node: topics are created explicitly, everything has one replica
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
log.retention.hours=168
EOF
}

is_running() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS"
}

format_storage() {
  local want="controller=127.0.0.1:$CONTROLLER_PORT cluster=$CLUSTER_ID"
  if [[ -f "$LOG_DIR/meta.properties" ]]; then
    if [[ -f "$FORMATTED" && "$(cat "$FORMATTED")" != "$want" ]]; then
      die "$LOG_DIR was formatted for $(cat "$FORMATTED"), not $want; run '$0 reset'"
    fi
    return 0
  fi
  log "formatting $LOG_DIR (KRaft, standalone controller, cluster id $CLUSTER_ID)"
  mkdir -p "$LOG_DIR"
  kafka_tool kafka.tools.StorageTool format --config "$PROPS" \
    --cluster-id "$CLUSTER_ID" --standalone >/dev/null \
    || die "kafka-storage format failed"
  printf '%s\n' "$want" >"$FORMATTED"
}

check_ports_free() {
  local p
  for p in "$KAFKA_PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      die "port 127.0.0.1:$p is taken by another process (set NTB_KAFKA_PORT / NTB_KAFKA_CONTROLLER_PORT)"
    fi
  done
}

start_broker() {
  log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller :$CONTROLLER_PORT, log $KAFKA_LOG)"
  printf '\n===== %s kafka.sh up =====\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" >>"$KAFKA_LOG"
  # setsid: the broker outlives the calling shell and its process group;
  # 9>&-: it must not inherit (and so hold forever) the flock of kafka.lock.
  # shellcheck disable=SC2086  # HEAP_OPTS holds several JVM flags
  setsid java $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dkafka.logs.dir="$INFRA_DIR" \
    -Dlog4j2.configurationFile="$SERVER_LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" >>"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_FILE"
}

fail_start() {
  echo "----- last lines of $KAFKA_LOG -----" >&2
  tail -n 40 "$KAFKA_LOG" >&2 || true
  die "$*"
}

# Wait until the broker listens and answers a metadata request.
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) pid
  pid="$(cat "$PID_FILE")"
  until port_open "$KAFKA_PORT"; do
    pid_alive "$pid" || fail_start "broker process $pid exited during startup"
    (( SECONDS < deadline )) || fail_start "broker not listening on $BOOTSTRAP after ${START_TIMEOUT}s"
    sleep 0.2
  done
  local left=$((deadline - SECONDS))
  (( left > 5 )) || left=5
  if python_ok; then
    "$PYTHON" "$INFRA_SCRIPT_DIR/create_topics.py" --bootstrap "$BOOTSTRAP" --check --timeout "$left" >/dev/null \
      || fail_start "broker on $BOOTSTRAP does not answer metadata after ${START_TIMEOUT}s"
  else
    until timeout 30 "${KAFKA_TOOL[@]}" org.apache.kafka.tools.TopicCommand \
          --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; do
      pid_alive "$pid" || fail_start "broker process $pid exited during startup"
      (( SECONDS < deadline )) || fail_start "broker on $BOOTSTRAP does not answer metadata after ${START_TIMEOUT}s"
      sleep 1
    done
  fi
}

# Topics of topics.txt plus <name>.dlq, replication factor 1, created when missing.
ensure_topics() {
  if python_ok; then
    "$PYTHON" "$INFRA_SCRIPT_DIR/create_topics.py" --bootstrap "$BOOTSTRAP" \
      --topics-file "$TOPICS_FILE" --timeout 60 "$@" | sed "s/^/[$INFRA_NAME] /"
    return
  fi
  # Fallback without the venv: one TopicCommand JVM to list, one per missing topic.
  local existing name partitions t created=0 total=0
  existing="$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list)"
  while read -r name partitions; do
    for t in "$name" "$name.dlq"; do
      total=$((total + 1))
      grep -qxF "$t" <<<"$existing" && continue
      kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create \
        --if-not-exists --topic "$t" --partitions "$partitions" --replication-factor 1 >/dev/null
      created=$((created + 1))
    done
  done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOPICS_FILE")
  log "topics: $total wanted, $created created (TopicCommand; no venv with confluent_kafka)"
  if [[ "${1:-}" == "--list" ]]; then  # (--warmup: nothing to warm without the venv)
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list
  fi
}

lock() {
  exec 9>"$INFRA_DIR/kafka.lock"
  flock 9
}

cmd_up() {
  lock
  if is_running; then
    log "already running on $BOOTSTRAP (pid $(cat "$PID_FILE"))"
    port_open "$KAFKA_PORT" || wait_ready
    ensure_topics
  else
    check_ports_free
    ensure_java
    ensure_libs
    write_props
    format_storage
    start_broker
    wait_ready
    log "ready on $BOOTSTRAP (pid $(cat "$PID_FILE"))"
    # after a start: also warm the group coordinator and producer ids
    ensure_topics --warmup
  fi
}

cmd_down() {
  lock
  if ! is_running; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  local pid deadline
  pid="$(cat "$PID_FILE")"
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid"; do
    if (( SECONDS >= deadline )); then
      log "still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  if is_running; then
    log "running: pid $(cat "$PID_FILE"), Kafka $KAFKA_VERSION, $BOOTSTRAP (controller :$CONTROLLER_PORT), data $LOG_DIR"
  else
    log "stopped"
    return 1
  fi
}

cmd_topics() {
  is_running || die "not running (tools/infra/kafka.sh up)"
  [[ -d "$LIBS" ]] || python_ok || die "no Kafka jars in $LIBS and no venv with confluent_kafka"
  ensure_topics --list
}

cmd_reset() {
  cmd_down
  log "deleting $LOG_DIR"
  rm -rf "$LOG_DIR" "$FORMATTED"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  topics) cmd_topics ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 up|down|status|topics|reset" >&2; exit 2 ;;
esac
