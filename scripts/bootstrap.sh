#!/usr/bin/env bash
# Install what the site itself needs: Python packages in .venv and ffmpeg.
# Idempotent and quick when everything is already there.
#   scripts/bootstrap.sh          the site (requirements.txt)
#   scripts/bootstrap.sh --dev    plus the test tools (requirements-dev.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=services/lib.sh
. scripts/services/lib.sh

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || die "Python 3.11 is required (found $("$PYTHON" --version 2>&1))"

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "ffmpeg is missing: run 'sudo apt-get install ffmpeg'"
    apt_install ffmpeg
fi

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv; "$PYTHON" -m venv .venv; }
fi
requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt
# Skip pip entirely when the lock file has not changed since the last install.
stamp=.venv/.installed-$(sha256sum "$requirements" requirements.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
    log "installing Python packages from $requirements"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
    touch "$stamp"
fi
# The JS linter (eslint) for the dev tools, into ./node_modules (gitignored), from package-lock.json.
if [ "${1:-}" = "--dev" ]; then
    if ! command -v npm >/dev/null; then
        [ "$(id -u)" -eq 0 ] || die "npm is missing (for eslint): run 'sudo apt-get install nodejs npm'"
        apt_install nodejs npm
    fi
    node_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
    if [ ! -f "$node_stamp" ]; then
        log "installing eslint from package-lock.json"
        npm ci --no-audit --no-fund --silent
        touch "$node_stamp"
    fi
fi
