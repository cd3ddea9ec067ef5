#!/usr/bin/env bash
# Redis (Debian's redis-server) for the cache and the Celery broker in tests:
# our own daemon and config on 127.0.0.1, run as the service user, in memory.
#   redis.sh up|down|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

dir=$(service_dir redis)
pidfile=$dir/redis.pid

ping() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null; }
# Our pid and a PONG: another Redis on the port does not count as ours.
healthy() {
    pid_alive "$pidfile" && command -v redis-cli >/dev/null && [ "$(ping)" = PONG ]
}

up() {
    if healthy; then return 0; fi
    # The package's own service on 6379 is not used (and not started where
    # there is no init system); we only want the binaries.
    command -v redis-server >/dev/null || apt_install redis-server
    as_service_user test -w "$dir" ||
        die "$YOUKE_SERVICE_USER cannot write $dir; put YOUKE_SERVICES_DIR somewhere it can reach"

    cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $pidfile
logfile $dir/redis.log
dir $dir
# Tests need no persistence: nothing is written to disk, a restart is empty.
save ""
appendonly no
CONF
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    (cd "$dir" && as_service_user redis-server "$dir/redis.conf")
    local start=$SECONDS
    until healthy; do
        [ $((SECONDS - start)) -lt 20 ] || { tail -5 "$dir/redis.log" >&2; die "Redis not healthy after 20s"; }
        sleep 0.2
    done
}

down() {
    pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
    log "stopping Redis"
    # SHUTDOWN answers once Redis has removed its pidfile; after a plain TERM
    # we would wait for init to reap the zombie (about 2 s here).
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    stop_pidfile "$pidfile" redis   # in case it did not answer
}

case ${1:-} in
    up) up ;;
    down) down ;;
    status)
        if healthy; then
            version=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info server | sed -n 's/^redis_version:\([^\r]*\).*/\1/p')
            echo "redis: up redis://127.0.0.1:$REDIS_PORT (version $version)"
        else
            echo "redis: down"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
