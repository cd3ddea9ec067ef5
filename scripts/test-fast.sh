#!/usr/bin/env bash
# The fast tier (`make test-fast`): lint (ruff, import contracts, templates, JS), migrations, and every test that needs
# no external service, on the embedded defaults (SQLite, local cache, database
# search, eager tasks). Needs nothing but Python and ffmpeg. Extra arguments go
# to pytest. `make test` runs this first, then the service tier.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --dev
# Whatever services the calling shell points at are ignored here.
for var in $(compgen -e); do
    case $var in
        DATABASE_URL | REDIS_URL | CELERY_* | SEARCH_* | ELASTICSEARCH_* | S3_* | KEYCLOAK_* | CHROMIUM_PATH | YOUKE_REQUIRE_SERVICES)
            unset "$var" ;;
    esac
done
export DJANGO_SETTINGS_MODULE=youke.settings.test

bash scripts/lint.sh
echo "== migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run -v1
echo "== pytest: fast tier (no service, SQLite)"
exec .venv/bin/python -m pytest -m "not service and not slow" "$@"
