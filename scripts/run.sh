#!/usr/bin/env bash
# Serve the site on its embedded default: SQLite, database search, local
# media, Django accounts, and a Celery worker on the filesystem broker -
# nothing else to install or start. Ctrl-C stops the site and its worker.
#   HOST=127.0.0.1 PORT=8000 scripts/run.sh
# Debug pages (tracebacks, settings) only with DEBUG=1, and then on
# 127.0.0.1 alone: they must never reach the network.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-youke.settings.dev}
case "${DEBUG:-}" in
1 | true | yes | on)
    if [ "$HOST" != "127.0.0.1" ] && [ "$HOST" != "localhost" ]; then
        echo "DEBUG=1: serving on 127.0.0.1 only, not $HOST (debug pages must not reach the network)" >&2
    fi
    HOST=127.0.0.1
    export DEBUG=1
    ;;
*) export DEBUG=0 ;;
esac

"$PY" manage.py migrate --noinput -v0
if [ -n "${SEARCH_URL:-}" ]; then
    # The engine's indexes made with their mappings before anything is indexed
    # page by page: a page saved into a missing index has the engine guess the
    # types, every search then fails (fielddata on _django_content_type) and
    # silently answers from the database. Cheap here: the demo is small.
    "$PY" manage.py update_index -v0
fi
# Static files collected once, with hashed names and gzip copies, as in
# production: the embedded default must be as light on a slow line (a few
# seconds here, then only changed files).
export STATIC_COLLECTED=1
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py load_demo
"$PY" manage.py load_training_demo
"$PY" manage.py load_supervision_demo

# Workers run beside the site, as in production, so uploads are transcoded
# outside the web request: one for short jobs (with the embedded beat for the
# periodic ones: stuck transcodes re-queued, abandoned uploads cleaned up) and
# one for transcoding, so a 40-minute lesson never holds up the short jobs.
VAR=${YOUKE_VAR_DIR:-var}
mkdir -p "$VAR"
"$PY" -m celery -A youke worker -B --schedule "$VAR/celerybeat-schedule" -Q default --concurrency 1 \
    --hostname "default@%h" --loglevel WARNING &
workers=$!
"$PY" -m celery -A youke worker -Q transcode --concurrency 1 --hostname "transcode@%h" --loglevel WARNING &
workers="$workers $!"
# shellcheck disable=SC2086 # two pids, split on purpose
trap 'kill $workers 2>/dev/null; wait $workers 2>/dev/null' EXIT INT TERM

cat <<BANNER

  优课 is running at http://$HOST:$PORT/
  管理后台 (admin): http://$HOST:$PORT/admin/
  演示账号 (demo logins), password youke-demo:
    teacher1 · teacher2 (教师)   school_reviewer1 (校级审核)   district_reviewer1 (区级审核)
    trainer1 (培训管理)          district_admin1 (区级管理员, superuser)
    supervisor1 (督导)           school_leader1 (学校领导, 青山乡中心小学)

BANNER
# gunicorn, not runserver: a few teachers at once and the uploader's parallel
# parts need more than one request at a time (SQLite runs in WAL mode).
"$PY" -m gunicorn youke.wsgi --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" --threads 4 \
    --worker-class gthread --timeout 120 --log-level warning
