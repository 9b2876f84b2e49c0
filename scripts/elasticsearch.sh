#!/usr/bin/env bash
# A real Elasticsearch node for tests and local development, without Docker:
#
#   scripts/elasticsearch.sh start|stop|status
#
# Fetches Elastic's own test distribution (integ-test-zip: core modules only) from
# Maven Central with `mvn dependency:get` (cached in ~/.m2, reused by every clone),
# unzips it under .es/ (ignored), and runs it on 127.0.0.1:${ES_PORT:-9200} as a
# single node with a capped heap — as a dedicated user when started by root, since
# Elasticsearch refuses to run as root. `start` returns when the cluster is yellow.
#
# ES_VERSION pins the version (default below, with fall-backs when Maven lacks it);
# ES_PORT, ES_HEAP (default 512m) and ES_HOME (default .es/) adjust the rest.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS="${ES_VERSION:-8.15.3 8.15.5 8.14.3 8.13.4}"
PORT="${ES_PORT:-9200}"
HEAP="${ES_HEAP:-512m}"
HOME_DIR="${ES_HOME:-$REPO/.es}"
RUN_USER="listener-es"
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
URL="http://127.0.0.1:$PORT"

say() { echo "==> elasticsearch: $*" >&2; }
die() { echo "elasticsearch: $*" >&2; exit 1; }

healthy() {
  curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

fetch() {
  local version zip
  for version in $VERSIONS; do
    zip="$M2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$version/elasticsearch-$version.zip"
    if [[ ! -s "$zip" ]]; then
      say "fetching integ-test-zip $version from Maven Central"
      mvn -q dependency:get -Dtransitive=false \
        "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
        >&2 || { say "version $version not available, trying the next"; continue; }
    fi
    if [[ -s "$zip" ]]; then
      echo "$version $zip"
      return 0
    fi
  done
  die "none of the versions $VERSIONS could be fetched (is Maven Central reachable?)"
}

install() {
  local version zip
  read -r version zip < <(fetch)
  local target="$HOME_DIR/elasticsearch-$version"
  if [[ ! -x "$target/bin/elasticsearch" ]]; then
    say "unpacking $version into $target"
    mkdir -p "$HOME_DIR"
    rm -rf "$target.partial"
    mkdir -p "$target.partial"
    (cd "$target.partial" && jar xf "$zip" 2>/dev/null || python3 -m zipfile -e "$zip" .)
    mv "$target.partial/elasticsearch-$version" "$target"
    rm -rf "$target.partial"
    chmod +x "$target"/bin/*
  fi
  mkdir -p "$HOME_DIR/data" "$HOME_DIR/logs"
  cat > "$target/config/elasticsearch.yml" <<YAML
cluster.name: listener-test
node.name: listener-test-node
network.host: 127.0.0.1
http.port: $PORT
discovery.type: single-node
path.data: $HOME_DIR/data
path.logs: $HOME_DIR/logs
action.destructive_requires_name: false
YAML
  # some test distributions carry the security module: a test node runs without it
  if [[ -d "$target/modules/x-pack-security" ]]; then
    echo "xpack.security.enabled: false" >> "$target/config/elasticsearch.yml"
    # TLS material a secured first start generated would now be refused
    rm -rf "$target/config/elasticsearch.keystore" "$target/config/certs"
  fi
  echo "$target"
}

as_runner() {
  if [[ "$(id -u)" == "0" ]]; then
    if ! id "$RUN_USER" >/dev/null 2>&1; then
      say "creating the user $RUN_USER (Elasticsearch refuses to run as root)"
      useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
    fi
    chown -R "$RUN_USER" "$HOME_DIR"
    # the node must be able to reach its home through every parent directory
    su -s /bin/bash "$RUN_USER" -c "$*"
  else
    bash -c "$*"
  fi
}

start() {
  if healthy; then
    say "already running at $URL"
    return 0
  fi
  command -v java >/dev/null || die "java not found (Elasticsearch needs Java 17+)"
  local home java_home
  home="$(install)"
  java_home="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  say "starting $(basename "$home") on $URL (heap $HEAP)"
  as_runner "ES_JAVA_HOME='$java_home' ES_JAVA_OPTS='-Xms$HEAP -Xmx$HEAP' \
    '$home/bin/elasticsearch' -d -p '$HOME_DIR/es.pid' >'$HOME_DIR/logs/startup.log' 2>&1" \
    || die "the node did not start: see $HOME_DIR/logs/"
  local waited=0
  until healthy; do
    sleep 1
    waited=$((waited + 1))
    if ((waited >= ${ES_START_TIMEOUT:-120})); then
      die "no yellow cluster at $URL after ${waited}s: see $HOME_DIR/logs/listener-test.log"
    fi
  done
  say "ready at $URL after ${waited}s"
}

stop() {
  local pidfile="$HOME_DIR/es.pid"
  if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "stopping (pid $(cat "$pidfile"))"
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 30); do
      kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break
      sleep 1
    done
  else
    say "not running"
  fi
}

status() {
  if healthy; then
    curl -fsS "$URL/_cluster/health?pretty"
  else
    say "not answering at $URL"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
