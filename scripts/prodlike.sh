#!/usr/bin/env bash
# The production shape on one machine, without Docker (no engine here):
#   scripts/prodlike.sh up       start everything below (idempotent), print the URL
#   scripts/prodlike.sh down     stop what up started (the shared services stay)
#   scripts/prodlike.sh status   one line per part; exit 1 if the site is not healthy
#   scripts/prodlike.sh env      the environment every host of it runs with
# PRODLIKE_DEMO_CLIP=FILE.mp4: the demo lesson's video, on the first `up` of a fresh database.
#
# youke.settings.production behind Debian's nginx with TLS (the deployment's
# own docker/nginx/default.conf, a generated test certificate), gunicorn with
# several gthread workers, and Celery hosts standing in for separate machines:
# two worker processes per queue plus one beat, each with its own working
# folder and no shared local disk (media only through S3). PostgreSQL, Redis,
# Keycloak and the S3 server are scripts/services.sh's (a database, Redis
# databases, a bucket and an index prefix of their own); search is a
# two-node OpenSearch cluster with one replica. docker-compose.yml stays the
# deployment: this is how it is tested here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=services/lib.sh
. "$here/services/lib.sh"
# shellcheck source=services/java.sh
. "$here/services/java.sh"
# shellcheck source=prodlike/cluster.sh
. "$here/prodlike/cluster.sh"
# shellcheck source=prodlike/nginx.sh
. "$here/prodlike/nginx.sh"

DIR=${PRODLIKE_DIR:-$YOUKE_ROOT/.prodlike}
WEB_PORT=${PRODLIKE_WEB_PORT:-18400}
HTTP_PORT=${PRODLIKE_HTTP_PORT:-18480}
HTTPS_PORT=${PRODLIKE_HTTPS_PORT:-18443}
SITE=https://127.0.0.1:$HTTPS_PORT
PY=$YOUKE_ROOT/.venv/bin/python
# Hosts: name, then the command after `celery -A youke`.
HOSTS=(
    "default-a worker -Q default --concurrency 2 --hostname default-a@%h"
    "default-b worker -Q default --concurrency 2 --hostname default-b@%h"
    "transcode-a worker -Q transcode --concurrency 1 --prefetch-multiplier 1 --hostname transcode-a@%h"
    "transcode-b worker -Q transcode --concurrency 1 --prefetch-multiplier 1 --hostname transcode-b@%h"
    "beat beat --schedule @VAR@/celerybeat-schedule"
)

environment() {
    [ -s "$DIR/secret_key" ] || { mkdir -p "$DIR"; "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DIR/secret_key"; }
    eval "$(bash "$here/services.sh" env)"
    cat <<ENV
export DJANGO_SETTINGS_MODULE=youke.settings.production
export SECRET_KEY=$(cat "$DIR/secret_key")
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=$SITE
export SITE_URL=$SITE
export SECURE_HSTS_SECONDS=0
export DATABASE_URL=${DATABASE_URL%/*}/youke_prodlike
export REDIS_URL=${REDIS_URL%/*}/10
export CELERY_BROKER_URL=${REDIS_URL%/*}/11
export SEARCH_URL=$(cluster_url 0),$(cluster_url 1)
export SEARCH_ENGINE=opensearch
export SEARCH_INDEX_PREFIX=prodlike_
export SEARCH_REPLICAS=1
export S3_ENDPOINT_URL=$S3_ENDPOINT_URL
export S3_PUBLIC_ENDPOINT_URL=$SITE
export S3_ACCESS_KEY_ID=$S3_ACCESS_KEY_ID
export S3_SECRET_ACCESS_KEY=$S3_SECRET_ACCESS_KEY
export S3_BUCKET=youke-prodlike
export S3_REGION=$S3_REGION
export KEYCLOAK_SERVER_URL=$KEYCLOAK_SERVER_URL
export KEYCLOAK_REALM=$KEYCLOAK_REALM
export KEYCLOAK_CLIENT_ID=$KEYCLOAK_CLIENT_ID
export KEYCLOAK_CLIENT_SECRET=$KEYCLOAK_CLIENT_SECRET
export KEYCLOAK_SYNC_CLIENT_ID=$KEYCLOAK_SYNC_CLIENT_ID
export KEYCLOAK_SYNC_CLIENT_SECRET=$KEYCLOAK_SYNC_CLIENT_SECRET
export SSO_BREAK_GLASS_USERNAMES=district_admin1
export TRANSCODE_STUCK_SECONDS=${TRANSCODE_STUCK_SECONDS:-600}
export TRANSCODE_REQUEUE_SECONDS=${TRANSCODE_REQUEUE_SECONDS:-600}
ENV
}

# host_env NAME : this host's own folders (YOUKE_VAR_DIR, TMPDIR), nothing shared with the others.
host_env() {
    local var=$DIR/hosts/$1
    mkdir -p "$var/tmp"
    printf 'export YOUKE_VAR_DIR=%s TMPDIR=%s\n' "$var" "$var/tmp"
}

# start NAME COMMAND... : a background process of this shape, its pid in $DIR/pids/NAME.
start() {
    local name=$1
    shift
    mkdir -p "$DIR/pids" "$DIR/logs"
    pid_alive "$DIR/pids/$name" && return 0
    # shellcheck disable=SC2016 # $$ and $@ are for the inner sh
    setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$DIR/pids/$name" "$@" \
        </dev/null >>"$DIR/logs/$name.log" 2>&1 &
}

prepare() {
    # The database, the bucket and the test realm's redirect URI: the site's own, each idempotent.
    psql -q "${DATABASE_URL%/*}/postgres" -tc "SELECT 1 FROM pg_database WHERE datname = 'youke_prodlike'" |
        grep -q 1 || psql -q "${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE youke_prodlike" >/dev/null
    "$PY" "$here/prodlike/prepare.py" "$SITE"
    (cd "$YOUKE_ROOT" && "$PY" manage.py migrate --noinput -v0 && "$PY" manage.py collectstatic --noinput -v0 &&
        "$PY" manage.py update_index -v0) >>"$DIR/logs/prepare.log" 2>&1 ||
        die "preparing the database failed, see $DIR/logs/prepare.log"
    # The demo library once (minutes on 2 cores): drop youke_prodlike and this stamp to load it afresh.
    [ -f "$DIR/demo-loaded" ] && return 0
    if [ -n "${PRODLIKE_DEMO_CLIP:-}" ]; then
        # The demo lesson's video from this file instead of the demo's 4 s clip (scripts/bench_slowlink.py
        # needs a minute to play): the demo loader reuses the document of that title.
        (cd "$YOUKE_ROOT" && "$PY" manage.py shell -c "$("$PY" -c 'import sys; sys.path.insert(0, "scripts")
import slowlink_sites as s; print(s.CLIP_DOCUMENT.format(title=s.CLIP_TITLE, path=sys.argv[1]))' "$PRODLIKE_DEMO_CLIP")") \
            >>"$DIR/logs/prepare.log" 2>&1 || die "could not store $PRODLIKE_DEMO_CLIP as the demo's clip"
    fi
    (cd "$YOUKE_ROOT" && "$PY" manage.py load_demo && "$PY" manage.py load_training_demo &&
        "$PY" manage.py load_supervision_demo) >>"$DIR/logs/prepare.log" 2>&1 ||
        die "loading the demo failed, see $DIR/logs/prepare.log"
    touch "$DIR/demo-loaded"
}

up() {
    [ -x "$PY" ] || bash "$here/bootstrap.sh"
    bash "$here/services.sh" up postgres redis ffmpeg s3 keycloak
    cluster_up
    mkdir -p "$DIR/logs"
    environment >"$DIR/env"
    # shellcheck disable=SC1091
    . "$DIR/env"
    eval "$(host_env web)"
    prepare
    log "starting gunicorn on 127.0.0.1:$WEB_PORT"
    start web "$YOUKE_ROOT/.venv/bin/gunicorn" youke.wsgi --chdir "$YOUKE_ROOT" --bind "127.0.0.1:$WEB_PORT" \
        --workers "${WEB_WORKERS:-3}" --worker-class gthread --threads 4 --timeout 60 --log-level warning
    local host name args
    for host in "${HOSTS[@]}"; do
        read -r name args <<<"$host"
        (
            eval "$(host_env "$name")"
            cd "$YOUKE_VAR_DIR"  # its own working folder: nothing relative lands in the checkout
            # shellcheck disable=SC2086 # the arguments are split on purpose
            start "$name" "$PY" -m celery --workdir "$YOUKE_ROOT" -A youke ${args//@VAR@/$YOUKE_VAR_DIR} --loglevel INFO
        )
    done
    nginx_up "$DIR" "$DIR/hosts/web/staticfiles"
    wait_http "http://127.0.0.1:$WEB_PORT/healthz" 120 gunicorn
    local start_time=$SECONDS
    until curl -sf --max-time 10 --cacert "$DIR/nginx/certs/tls.crt" "$SITE/healthz" >/dev/null; do
        [ $((SECONDS - start_time)) -ge 120 ] && { curl -s --cacert "$DIR/nginx/certs/tls.crt" "$SITE/healthz" >&2; die "$SITE/healthz is not 200"; }
        sleep 1
    done
    log "production shape up at $SITE (CA: $DIR/nginx/certs/tls.crt; environment: $DIR/env)"
}

down() {
    local name
    nginx_down "$DIR"
    for name in web default-a default-b transcode-a transcode-b beat; do
        stop_pidfile "$DIR/pids/$name" "$name"
    done
    cluster_down
}

status() {
    local rc=0 name
    for name in web default-a default-b transcode-a transcode-b beat; do
        if pid_alive "$DIR/pids/$name"; then echo "$name: up (pid $(cat "$DIR/pids/$name"))"; else echo "$name: down"; rc=1; fi
    done
    cluster_status || rc=1
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$DIR/nginx/certs/tls.crt" "$SITE/healthz" || true)
    echo "site: $SITE/healthz $code"
    [ "$code" = 200 ] || rc=1
    return $rc
}

case ${1:-status} in
    up) up ;;
    down) down ;;
    status) status ;;
    env) environment ;;
    *) die "usage: $0 up|down|status|env" ;;
esac
