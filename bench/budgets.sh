#!/usr/bin/env bash
# The byte budgets CI keeps (scripts/test.sh, step `byte-budgets`), read from bench/budgets.json:
#   wasm        the release WASM (dist/*.wasm), brotli -q 11
#   first-load  index.html + JS glue + WASM + CSS (brotli -q 11) + GET /api/v1/catalog as the
#               server sends it to `Accept-Encoding: br` (a real server is started for a second)
#   first-screen what a first visit to / needs before the student can read, browse and search the
#               catalog: GET / as the server renders it with the demo's plans (brotli, as sent) + CSS.
#               The JS glue and WASM are fetched after that page has painted (scripts/defer-wasm.mjs).
# Fast and browser-free; needs a release dist/ (scripts/build-app.sh) and builds the release server
# if needed. Exits 1 when a figure is over its `max_bytes`. Each budget's `note` says why it is what
# it is; the `target_bytes` is where it should get to (reported, not enforced).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

budgets=bench/budgets.json
bin=${KZ_SERVER_BIN:-${CARGO_TARGET_DIR:-target}/release/kaozheng-server}
br() { brotli -q 11 -c "$1" | wc -c; }

shopt -s nullglob
wasm_files=(dist/*.wasm)
[ ${#wasm_files[@]} = 1 ] || { echo "byte budgets: expected one dist/*.wasm (run scripts/build-app.sh)" >&2; exit 1; }
wasm=${wasm_files[0]}
# The JS glue is the module index.html imports; sw.js and embed.js are not on the first load.
glue=dist/$(grep -o "from '/[^']*\.js'" dist/index.html | head -n 1 | sed "s/from '\/\(.*\)'/\1/")
css_files=(dist/*.css)
[ -f "$glue" ] || { echo "byte budgets: no JS glue found in dist/index.html" >&2; exit 1; }

wasm_br=$(br "$wasm")
shell_br=$(( $(br dist/index.html) + $(br "$glue") + wasm_br ))
for c in "${css_files[@]}"; do shell_br=$((shell_br + $(br "$c"))); done

# The catalog's bytes come from the server itself: it compresses the JSON on the fly, so only a
# real response says what a phone downloads.
if [ -z "${KZ_SERVER_BIN:-}" ]; then
  cargo build -q --release -p kaozheng-server
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kz-budgets.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
RUST_LOG=warn "$bin" serve --demo --port 0 --data-dir "$tmp/var" --dist dist >"$tmp/out" 2>"$tmp/log" &
pid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/^Kaozheng serving on \(http:[^ ]*\)$/\1/p' "$tmp/out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "byte budgets: the server did not start" >&2; cat "$tmp/log" >&2; exit 1; }
# Bytes of a GET as the server sends it to a browser accepting brotli.
sent_br() {
  node -e '
    const http = require("node:http");
    http.get(new URL(process.argv[2], process.argv[1]), { headers: { "accept-encoding": "br" } }, (res) => {
      let n = 0;
      res.on("data", (c) => (n += c.length));
      res.on("end", () => {
        if (res.statusCode !== 200) { console.error("GET " + process.argv[2] + ": HTTP " + res.statusCode); process.exit(1); }
        console.log(n);
      });
    }).on("error", (e) => { console.error(e.message); process.exit(1); });
  ' "$url" "$1"
}
catalog_br=$(sent_br api/v1/catalog)
page_br=$(sent_br /)
css_br=0
for c in "${css_files[@]}"; do css_br=$((css_br + $(br "$c"))); done
first_screen=$((page_br + css_br))
first_load=$((shell_br + catalog_br))

# Compare with bench/budgets.json; node reads the JSON (no jq on a fresh machine).
node - "$budgets" "$wasm_br" "$first_load" "$catalog_br" "$first_screen" "$page_br" <<'JS'
const [file, wasm, firstLoad, catalog, firstScreen, page] = process.argv.slice(2);
const { budgets } = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
const measured = { wasm: Number(wasm), 'first-load': Number(firstLoad), 'first-screen': Number(firstScreen) };
let over = 0;
for (const b of budgets) {
  const v = measured[b.name];
  if (v === undefined) { console.log(`${b.name}: not measured by this script`); over++; continue; }
  const target = b.target_bytes ? `; target ${b.target_bytes} B ${v <= b.target_bytes ? 'met' : 'not met'}` : '';
  const ok = v <= b.max_bytes;
  const extra =
    b.name === 'first-load' ? ` (catalog ${catalog} B as served)` : b.name === 'first-screen' ? ` (rendered / ${page} B as served, the rest CSS)` : '';
  console.log(`${b.name}: ${v} B brotli${extra}, budget ${b.max_bytes} B${target}: ${ok ? 'ok' : `OVER by ${v - b.max_bytes} B`}`);
  if (!ok) {
    console.log(`  note: ${b.note}`);
    over++;
  }
}
process.exit(over ? 1 : 0);
JS
