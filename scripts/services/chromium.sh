#!/usr/bin/env bash
# Chromium and chromedriver (Debian's) for the browser tests: tools, not
# servers, so `up` only installs them and `down` has nothing to stop.
# Tests run as root, where Chromium needs --no-sandbox (it refuses otherwise).
#   chromium.sh up|down|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

CHROMIUM=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

case ${1:-} in
    up)
        # fonts-liberation: apt_install skips Recommends, and without a font
        # with Latin metrics pages render (and screenshot) with fallback glyphs.
        # fonts-wqy-microhei: the UI is Chinese; without a CJK font every
        # character is a box and long Chinese lines do not wrap like real ones.
        apt_install chromium chromium-driver fonts-liberation fonts-wqy-microhei
        ;;
    down) ;;
    status)
        if [ -x "$CHROMIUM" ] && [ -x "$DRIVER" ]; then
            # --version needs no display and no sandbox.
            version=$("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')
            driver=$("$DRIVER" --version 2>/dev/null | awk '{print $2}')
            echo "chromium: up $CHROMIUM (version $version, chromedriver $driver)"
        else
            echo "chromium: down"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
