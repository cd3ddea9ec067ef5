# shellcheck shell=bash
# Shared helpers for the per-service scripts in this folder.
# Sourced, never run. Every service listens on 127.0.0.1 only, keeps its data
# under $YOUKE_SERVICES_DIR (project-local) and its downloads under
# $YOUKE_CACHE_DIR (shared between clones so CI does not download twice).

set -euo pipefail

YOUKE_ROOT=${YOUKE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
YOUKE_SERVICES_DIR=${YOUKE_SERVICES_DIR:-$YOUKE_ROOT/.services}
YOUKE_CACHE_DIR=${YOUKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/youke}
# PostgreSQL and the search engines refuse to run as root.
YOUKE_SERVICE_USER=${YOUKE_SERVICE_USER:-youke}

# Ports: one per service, away from the defaults so a system-wide server
# on the same machine does not collide with the test ones.
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
OPENSEARCH_PORT=${OPENSEARCH_PORT:-9201}
ELASTICSEARCH_PORT=${ELASTICSEARCH_PORT:-9202}
KEYCLOAK_PORT=${KEYCLOAK_PORT:-8180}
S3_PORT=${S3_PORT:-8280}

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# apt_install PKG... : install Debian packages only when a binary is missing.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt (a parallel install, unattended upgrades) instead of failing.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# need_cmd CMD [PKG] : install PKG (default CMD) when CMD is missing; a fresh
# Debian has neither curl nor maven.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || apt_install "${2:-$1}"
}

ensure_service_user() {
    id "$YOUKE_SERVICE_USER" >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --shell /usr/sbin/nologin "$YOUKE_SERVICE_USER"
}

# as_service_user CMD... : run a command as the unprivileged service user.
as_service_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$YOUKE_SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

# service_dir NAME : create and print $YOUKE_SERVICES_DIR/NAME owned by the service user.
service_dir() {
    local dir="$YOUKE_SERVICES_DIR/$1"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        ensure_service_user
        chown -R "$YOUKE_SERVICE_USER" "$dir"
    fi
    printf '%s\n' "$dir"
}

# maven_fetch GROUP:ARTIFACT:VERSION:PACKAGING[:CLASSIFIER] DEST_DIR
# Copies one artifact from Maven Central (through ~/.m2) into DEST_DIR and
# prints the file's path. Cached: a second call does not touch the network.
maven_fetch() {
    local coords=$1 dest=$2
    mkdir -p "$dest"
    IFS=: read -r _ artifact version packaging classifier <<<"$coords"
    local name="$artifact-$version${classifier:+-$classifier}.$packaging"
    if [ ! -s "$dest/$name" ]; then
        need_cmd mvn maven
        log "fetching $coords from Maven Central"
        mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$coords" -DoutputDirectory="$dest" \
            -Dmdep.overWriteReleases=false >&2 \
            || die "mvn could not fetch $coords"
    fi
    printf '%s\n' "$dest/$name"
}

# wait_http URL SECONDS [NAME] : poll until the URL answers with HTTP < 500.
wait_http() {
    local url=$1 timeout=$2 name=${3:-$1} start=$SECONDS code
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
        if [ -n "$code" ] && [ "$code" != 000 ] && [ "$code" -lt 500 ]; then
            return 0
        fi
        [ $((SECONDS - start)) -ge "$timeout" ] && die "$name not healthy after ${timeout}s ($url)"
        sleep 1
    done
}

# wait_port PORT SECONDS NAME : poll until something listens on 127.0.0.1:PORT.
wait_port() {
    local port=$1 timeout=$2 name=$3 start=$SECONDS
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        [ $((SECONDS - start)) -ge "$timeout" ] && die "$name not listening on $port after ${timeout}s"
        sleep 0.5
    done
}

# dist_parent : a folder for unpacked server distributions that the
# service user can read and that clones share. Root's default cache
# (/root/.cache) sits in a 0700 home, so fall back to /var/cache/youke.
dist_parent() {
    mkdir -p "$YOUKE_CACHE_DIR"
    [ "$(id -u)" -eq 0 ] && ensure_service_user
    if as_service_user test -x "$YOUKE_CACHE_DIR" -a -r "$YOUKE_CACHE_DIR"; then
        printf '%s\n' "$YOUKE_CACHE_DIR"
    else
        mkdir -p /var/cache/youke && printf '%s\n' /var/cache/youke
    fi
}

# pid_alive PIDFILE : true when the pid in PIDFILE is a running process.
pid_alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# stop_pidfile PIDFILE NAME : TERM, then KILL after 20 s.
stop_pidfile() {
    local pidfile=$1 name=$2 pid
    pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
    pid=$(cat "$pidfile")
    log "stopping $name ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}
