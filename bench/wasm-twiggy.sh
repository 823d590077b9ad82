#!/usr/bin/env bash
# Where the release WASM's bytes go: builds with symbol names kept, optimizes like Trunk does, and
# prints the biggest items and the biggest crates (twiggy, `cargo install twiggy`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=target/wasm-twiggy
mkdir -p "$out"
# The release build's wasm-opt passes, read from index.html (data-wasm-opt-params).
read -r -a opt_params <<< "$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html)"
CARGO_TARGET_DIR=target/sizeprof cargo build -q --target wasm32-unknown-unknown --profile wasm-release \
  --bin kaozheng --config 'profile.wasm-release.strip=false'
wasm-bindgen --target web --no-typescript --out-dir "$out" target/sizeprof/wasm32-unknown-unknown/wasm-release/kaozheng.wasm
wasm-opt -Oz --debuginfo "${opt_params[@]}" "$out/kaozheng_bg.wasm" -o "$out/named.wasm"
twiggy top -n 100000 --format csv "$out/named.wasm" > "$out/top.csv"
python3 - "$out/top.csv" "${1:-40}" <<'PY'
import csv, re, sys, collections
rows = [r for r in csv.DictReader(open(sys.argv[1])) if 'function names' not in r['Name']]
n = int(sys.argv[2])
total = sum(int(r['ShallowSize']) for r in rows)
crates = collections.Counter()
for r in rows:
    m = re.match(r'^<?(?:&mut |&)?([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::', r['Name'])
    crates[m.group(1) if m else r['Name'][:28]] += int(r['ShallowSize'])
print(f"total {total} B (names kept; before brotli)")
for k, v in crates.most_common(20):
    print(f"{v:8d} {100 * v / total:5.1f}%  {k}")
print()
for r in sorted(rows, key=lambda r: -int(r['ShallowSize']))[:n]:
    print(f"{int(r['ShallowSize']):8d}  {r['Name'][:130]}")
PY
