#!/usr/bin/env bash
# Debian's docker-compose: only to validate docker-compose.yml (`config`);
# this machine has no container engine to run it.
. "$(dirname "$0")/lib.sh"

case "${1:-status}" in
    up) command -v docker-compose >/dev/null || apt_install docker-compose ;;
    down) ;;
    status)
        if command -v docker-compose >/dev/null; then
            echo "compose: $(docker-compose version --short 2>/dev/null || echo installed)"
        else
            echo "compose: not installed"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
