#!/usr/bin/env bash
# Measures the release WASM without Trunk: cargo (wasm-release profile) → wasm-bindgen → wasm-opt -Oz,
# then raw / gzip -9 / brotli -q 11 sizes. Extra arguments go to cargo (e.g. --config ... to try a setting).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=target/wasm-size
mkdir -p "$out"
# The release build's wasm-opt passes, read from index.html (data-wasm-opt-params).
read -r -a opt_params <<< "$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html)"
cargo build -q --target wasm32-unknown-unknown --profile wasm-release --bin kaozheng "$@"
wasm-bindgen --target web --no-typescript --out-dir "$out" "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/kaozheng.wasm"
wasm-opt -Oz "${opt_params[@]}" "$out/kaozheng_bg.wasm" -o "$out/opt.wasm"
raw=$(stat -c %s "$out/opt.wasm")
gz=$(gzip -9 -c "$out/opt.wasm" | wc -c)
br=$(brotli -q 11 -c "$out/opt.wasm" | wc -c)
echo "wasm: raw $raw B, gzip $gz B, brotli $br B"
