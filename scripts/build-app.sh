#!/usr/bin/env bash
# Release build of the app into dist/, plus brotli and gzip copies the server sends as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release
# Trunk's JS minifier leaves the wasm-bindgen glue as written: minify it and re-pin its sha384.
node scripts/minify-glue.mjs dist/index.html
# The first screen comes rendered by the server: fetch the WASM after it has painted.
node scripts/defer-wasm.mjs dist/index.html
# Trunk copies the service worker as written, comments and all.
node scripts/minify-sw.mjs dist/sw.js
# Precompress once at build time (brotli -q 11 is too slow to do per request).
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
  -o -name '*.svg' -o -name '*.webmanifest' -o -name '*.json' \) -print0 |
  while IFS= read -r -d '' f; do
    brotli -f -q 11 -o "$f.br" "$f"
    gzip -f -9 -k -n "$f"
  done
# A returning phone gets the new WASM as a delta from the release it holds (Content-Encoding: dcz,
# crates/server/src/delta.rs): deltas from the last releases built here, which are kept for the next.
releases=${KZ_APP_RELEASES:-target/app-releases}
if [ -x "${KZ_SERVER_BIN:-}" ]; then
  "$KZ_SERVER_BIN" wasm-deltas dist "$releases"
else
  cargo run -q -p kaozheng-server -- wasm-deltas dist "$releases"
fi
