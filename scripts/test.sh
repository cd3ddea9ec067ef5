#!/usr/bin/env bash
# The README's test command: the fast tier (lint, migrations, every test that
# needs no service, on SQLite), then every real service started and the
# service tier run against them - each test runs exactly once in total.
# Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# In a subshell so that its environment cleaning stays there; a failure stops here.
(bash scripts/test-fast.sh "$@") || [ $? -eq 5 ]  # 5: the arguments chose no fast test

bash scripts/services.sh up
bash scripts/services.sh status
eval "$(bash scripts/services.sh env)"
# A service that is not configured fails its tests instead of skipping them.
export YOUKE_REQUIRE_SERVICES=1
export DJANGO_SETTINGS_MODULE=youke.settings.test

echo "== pytest: service tier (real services, processes, browsers)"
# Last, so that pytest's summary line ends the output (see .ci/run).
exec .venv/bin/python -m pytest -m "service or slow" "$@"
