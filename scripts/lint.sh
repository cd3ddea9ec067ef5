#!/usr/bin/env bash
# Every lint check, as `make lint`, `make test` and the pre-commit hooks run them.
# Needs the dev tools: scripts/bootstrap.sh --dev (ruff and djhtml in .venv, eslint in node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts (docs/architecture.md)"
.venv/bin/lint-imports --no-cache
echo "== djhtml (templates)"
find . -path ./.venv -prune -o -path ./node_modules -prune -o -path ./var -prune -o \
    -path '*/templates/*' -name '*.html' -print0 | xargs -0 .venv/bin/djhtml --check
echo "== eslint (static/**/*.js, the offline player)"
node_modules/.bin/eslint 'static/**/*.js' 'bundles/player/**/*.js'
