#!/usr/bin/env bash
# Provision the real services the test suite talks to, on loopback.
#   scripts/services.sh up [NAME...]     install if needed, start, wait until healthy
#   scripts/services.sh down [NAME...]   stop
#   scripts/services.sh status [NAME...] one line per service; exit 1 if any is down
#   scripts/services.sh env              print the environment that points the site at them
# Idempotent: `up` on a running service only checks its health.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=services/lib.sh
. "$here/services/lib.sh"

ALL=(postgres redis ffmpeg s3 opensearch elasticsearch keycloak chromium compose)

cmd=${1:-status}
shift || true
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${ALL[@]}")

case "$cmd" in
    up|down|status)
        rc=0
        for name in "${names[@]}"; do
            [ -f "$here/services/$name.sh" ] || die "unknown service: $name"
            bash "$here/services/$name.sh" "$cmd" || rc=1
        done
        exit $rc
        ;;
    env)
        cat <<ENV
export DATABASE_URL=postgres://youke:youke@127.0.0.1:$PG_PORT/youke
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/1
export SEARCH_URL=http://127.0.0.1:$OPENSEARCH_PORT
export SEARCH_ENGINE=opensearch
export ELASTICSEARCH_TEST_URL=http://127.0.0.1:$ELASTICSEARCH_PORT
export S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export S3_ACCESS_KEY_ID=youke-test-access
export S3_SECRET_ACCESS_KEY=youke-test-secret-not-for-production
export S3_BUCKET=youke-media
export S3_REGION=us-east-1
export KEYCLOAK_SERVER_URL=http://127.0.0.1:$KEYCLOAK_PORT
export KEYCLOAK_REALM=youke
export KEYCLOAK_CLIENT_ID=youke-web
export KEYCLOAK_CLIENT_SECRET=youke-web-test-secret-not-for-production
export KEYCLOAK_SYNC_CLIENT_ID=youke-sync
export KEYCLOAK_SYNC_CLIENT_SECRET=youke-sync-test-secret-not-for-production
export KEYCLOAK_ADMIN_USER=admin
export KEYCLOAK_ADMIN_PASSWORD=admin
export CHROMIUM_PATH=/usr/bin/chromium
ENV
        ;;
    *) die "usage: $0 up|down|status|env [NAME...]" ;;
esac
