# The two commands of the README. Everything they do lives in scripts/.
.PHONY: run test test-fast services-up services-down lint format

run:            ## install, migrate, load demo content, serve on the embedded default
	bash scripts/bootstrap.sh
	bash scripts/run.sh

test:           ## the fast tier, then every real service provisioned and the service tier
	bash scripts/test.sh

test-fast:      ## lint, migrations and every test that needs no service (SQLite), under 3 minutes
	bash scripts/test-fast.sh

services-up:
	bash scripts/services.sh up

services-down:
	bash scripts/services.sh down

lint:           ## ruff, import contracts, djhtml on the templates, eslint on static/**/*.js
	bash scripts/lint.sh

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -path ./var -prune -o -path '*/templates/*' -name '*.html' -print0 | xargs -0 .venv/bin/djhtml
