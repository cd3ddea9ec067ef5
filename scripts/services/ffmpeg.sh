#!/usr/bin/env bash
# ffmpeg (Debian's) for the media pipeline: a tool, not a server, so `up`
# only installs it and `down` has nothing to stop.
#   ffmpeg.sh up|down|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

installed() { command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; }

case ${1:-} in
    up) installed || apt_install ffmpeg ;;
    down) ;;
    status)
        if installed; then
            version=$(ffmpeg -hide_banner -version | sed -n '1s/^ffmpeg version \([^ ]*\).*/\1/p')
            echo "ffmpeg: up $(command -v ffmpeg) (version $version)"
        else
            echo "ffmpeg: down"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
