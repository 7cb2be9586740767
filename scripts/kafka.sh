#!/usr/bin/env bash
# Single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for
# tests and local use, built from Maven Central jars (scripts/kafka/pom.xml).
#
#   bash scripts/kafka.sh start    # download (once), format (once), start, wait until it answers
#   bash scripts/kafka.sh stop     # stop by pid file and wait until gone
#   bash scripts/kafka.sh status   # exit 0 if running, 3 if not
#
# Env:
#   KAFKA_HOME_DIR         state dir (libs, config, data, logs); default <repo>/.kafka
#   KAFKA_PORT             PLAINTEXT port; default 9092
#   KAFKA_CONTROLLER_PORT  CONTROLLER port; default KAFKA_PORT+1
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer; default 90
#   KAFKA_HEAP_OPTS        default "-Xms512m -Xmx1g"
#   JAVA_HOME              optional; java 17+ is needed
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
TPL_DIR="$SCRIPT_DIR/kafka"
POM="$TPL_DIR/pom.xml"

STATE="${KAFKA_HOME_DIR:-$ROOT/.kafka}"
LIBS="$STATE/libs"
DATA="$STATE/data"
LOGS="$STATE/logs"
CONF="$STATE/server.properties"
PIDFILE="$STATE/kafka.pid"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "[kafka.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- helpers ---------------------------------------------------------------

pid_of_broker() {
  # Prints the broker pid if the pid file points at a live kafka.Kafka JVM.
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_tail() {
  local f
  for f in "$LOGS/server.log" "$LOGS/stdout.log"; do
    if [[ -s "$f" ]]; then
      echo "----- last 60 lines of $f -----" >&2
      tail -n 60 "$f" >&2
    fi
  done
}

tool() {
  # Run a Kafka CLI class with quiet logging.
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$TPL_DIR/tools-log4j2.xml" \
    -cp "$LIBS/*" "$@"
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need Java 17+; set JAVA_HOME)"
  local v
  v="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [[ "${v%%.*}" =~ ^[0-9]+$ && "${v%%.*}" -ge 17 ]] || die "Kafka 4.x needs Java 17+, found '$v' ($JAVA)"
}

ensure_libs() {
  # Download the broker jars once; redo it when pom.xml changes.
  local stamp want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  stamp="$LIBS/.pom.sha256"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: needed once to fetch the Kafka jars"
  log "fetching Kafka jars from Maven Central into $LIBS ..."
  local t0=$SECONDS
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  # (sed: mvn 3.8 -q still prints bare ANSI resets)
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS" 2>&1 \
      | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2; then
    rm -rf "$LIBS"
    die "mvn dependency:copy-dependencies failed"
  fi
  echo "$want" >"$stamp"
  log "jars ready ($(ls "$LIBS"/*.jar | wc -l) files, $((SECONDS - t0)) s)"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  sed -e "s|@PORT@|$PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@LOG_DIRS@|$DATA|g" \
      "$TPL_DIR/server.properties.in" >"$CONF"
}

ensure_formatted() {
  # Format the KRaft storage once; later starts reuse it (topics survive restarts).
  if [[ -f "$DATA/meta.properties" ]]; then
    return 0
  fi
  local id
  if [[ -s "$STATE/cluster.id" ]]; then
    id="$(cat "$STATE/cluster.id")"
  else
    id="$(tool kafka.tools.StorageTool random-uuid | tail -n 1 | tr -d '[:space:]')"
    [[ -n "$id" ]] || die "could not generate a cluster id"
    echo "$id" >"$STATE/cluster.id"
  fi
  rm -f "$STATE/.warmed-up"
  log "formatting storage in $DATA (cluster id $id)"
  tool kafka.tools.StorageTool format --standalone -t "$id" -c "$CONF" >&2 \
    || die "storage format failed"
}

broker_answers() {
  # ApiVersions round trip against the PLAINTEXT listener.
  timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$TPL_DIR/tools-log4j2.xml" \
    -cp "$LIBS/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "127.0.0.1:$PORT" >/dev/null 2>&1
}

wait_ready() {
  local pid="$1" t0=$SECONDS deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail
      rm -f "$PIDFILE"
      die "broker process $pid exited during start-up (see $LOGS)"
    fi
    if port_open "$PORT" && broker_answers; then
      log "broker up on 127.0.0.1:$PORT (pid $pid, ready after $((SECONDS - t0)) s)"
      return 0
    fi
    sleep 1
  done
  log_tail
  die "broker did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT} s (pid $pid still running; 'bash scripts/kafka.sh stop' to kill it)"
}

warm_up() {
  # Make the first client's life quiet: right after a (re)start the broker answers
  # InitProducerId with COORDINATOR_LOAD_IN_PROGRESS until it holds a producer-id block,
  # and on fresh storage __consumer_offsets does not exist yet, so the first group join
  # also fails. kafkajs retries both, but logs them as ERROR (and a consumer "crash").
  # So: one idempotent produce on every start (~1-2 s), plus one group consume on the
  # first start after formatting (~2 s). A failure here is only a warning.
  local t0=$SECONDS bs="127.0.0.1:$PORT" topic="quanguard-kafka-warmup" ok=1
  : >"$LOGS/warmup.log"
  echo warmup | tool org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$bs" --topic "$topic" \
    >>"$LOGS/warmup.log" 2>&1 || ok=0
  if ((ok)) && [[ ! -f "$STATE/.warmed-up" ]]; then
    timeout 60 "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -Dlog4j2.configurationFile="$TPL_DIR/tools-log4j2.xml" -cp "$LIBS/*" \
      org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bs" --topic "$topic" \
      --group "$topic" --from-beginning --max-messages 1 --timeout-ms 30000 >>"$LOGS/warmup.log" 2>&1 \
      && touch "$STATE/.warmed-up" || ok=0
  fi
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --delete --if-exists --topic "$topic" \
    >>"$LOGS/warmup.log" 2>&1 || true
  if ((ok)); then
    log "warmed up producer ids / group coordinator ($((SECONDS - t0)) s)"
  else
    log "WARNING: warm-up produce/consume failed (see $LOGS/warmup.log); the broker is up anyway"
  fi
}

# ---- commands ----------------------------------------------------------------

cmd_start() {
  local t0=$SECONDS pid
  mkdir -p "$STATE"
  check_java
  ensure_libs
  if pid="$(pid_of_broker)"; then
    log "already running (pid $pid)"
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then
    die "port $PORT is already in use by another process (not ours: no live pid in $PIDFILE)"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $CONTROLLER_PORT is already in use by another process"
  fi
  write_config
  ensure_formatted

  # Keep the previous run's log aside so a failure tail shows only this run.
  [[ -f "$LOGS/server.log" ]] && mv -f "$LOGS/server.log" "$LOGS/server.log.prev"
  log "starting broker (log: $LOGS/server.log)"
  # setsid: own session, so Ctrl-C in the caller's terminal does not hit it.
  # The inner shell records its own pid and execs java, so the pid file is the JVM.
  # shellcheck disable=SC2086
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    "$JAVA" $HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOGS" \
    -Dlog4j2.configurationFile="$TPL_DIR/log4j2.xml" \
    -cp "$LIBS/*" kafka.Kafka "$CONF" \
    >"$LOGS/stdout.log" 2>&1 </dev/null &
  local launcher=$!
  local i
  for i in $(seq 1 50); do
    [[ -s "$PIDFILE" ]] && break
    sleep 0.1
  done
  pid="$(cat "$PIDFILE" 2>/dev/null || echo "$launcher")"
  wait_ready "$pid"
  warm_up
  log "start took $((SECONDS - t0)) s"
}

cmd_stop() {
  local pid
  if ! pid="$(pid_of_broker)"; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 60 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(pid_of_broker)"; then
    local port="$PORT"
    [[ -f "$CONF" ]] && port="$(sed -n 's|^listeners=PLAINTEXT://[^:]*:\([0-9]*\).*|\1|p' "$CONF")"
    echo "kafka running (pid $pid) on 127.0.0.1:${port:-$PORT}, state in $STATE"
    return 0
  fi
  echo "kafka not running"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
