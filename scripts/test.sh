#!/usr/bin/env bash
# The README's test command: install, start every real service, lint, and
# run the whole suite against those services. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --dev
bash scripts/services.sh up
bash scripts/services.sh status
eval "$(bash scripts/services.sh env)"
# A service that is not configured fails its tests instead of skipping them.
export YOUKE_REQUIRE_SERVICES=1
export DJANGO_SETTINGS_MODULE=youke.settings.test

bash scripts/lint.sh
echo "== migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run -v1
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
