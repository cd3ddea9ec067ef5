#!/usr/bin/env bash
# Re-fetch the vendored hls.js from npm and check it is the reviewed tarball.
# The player needs the full build: the light one has no separate audio
# renditions, and the ladder's audio is one (it is also the audio-only rung).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.7.4
SHA256=e4ab3d5d13f7cca9ef241d098f39686e19fd451831ba07dc9943482fd5ff75c7
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "hls.js@$VERSION" >/dev/null)
echo "$SHA256  $tmp/hls.js-$VERSION.tgz" | sha256sum -c --quiet
tar xzf "$tmp/hls.js-$VERSION.tgz" -C "$tmp"
install -D -m 644 "$tmp/package/dist/hls.min.js" static/vendor/hls.js/hls.min.js
install -D -m 644 "$tmp/package/LICENSE" static/vendor/hls.js/LICENSE
# The source map is not shipped; a dangling reference would fail collectstatic's
# manifest storage (production) and cost a 404 in every browser's dev tools.
sed -i '/^\/\/# sourceMappingURL=/d' static/vendor/hls.js/hls.min.js
echo "hls.js $VERSION vendored in static/vendor/hls.js"
