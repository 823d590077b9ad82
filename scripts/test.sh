#!/usr/bin/env bash
# Runs every Kaozheng test tier and ends with one summary line "N passed, M failed".
#   scripts/test.sh            everything (installs what is missing first)
#   scripts/test.sh --quick    skip the browser tiers (wasm-bindgen-test, release build, Playwright)
#   scripts/test.sh --long     adds the long reliability runs (scripts/long-runs.sh, resumable chunks):
#                              1,000 chaos scenarios, 10,320,000 fuzz executions over the core and
#                              import parsers, 20 server-kill rounds, the full schemathesis run
#                              (about 2½ hours more on 2 cores; see RELIABILITY.md)
# Logs of each step: target/test-logs/<step>.log
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

quick=0
long=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --long) long=1; export KZ_KILL_ROUNDS=20 SCHEMATHESIS_MAX_EXAMPLES=100 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

logs=target/test-logs
mkdir -p "$logs"
# Browsers and test servers put their profiles and data dirs here, not in the shared /tmp, and
# whatever a killed browser leaves behind goes with this directory at the end of the run.
scratch=$PWD/target/test-tmp
rm -rf "$scratch" && mkdir -p "$scratch"
avail_kb=$(df -Pk . | awk 'NR==2 {print $4}')
if [ "${avail_kb:-0}" -lt $((12 * 1024 * 1024)) ]; then
  echo "warning: only $((avail_kb / 1024 / 1024)) GB free here; a full run from a clean clone needs about 12 GB" >&2
fi
started=$(date +%s)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
steps_failed=()
declare -A tier_counts

# step NAME CMD...: runs a step, counts its tests, records a failure without stopping the run.
step() {
  local name=$1; shift
  local log="$logs/$name.log" t0 rc p f
  t0=$(date +%s)
  printf '\n\033[1m== %s\033[0m\n' "$name"
  "$@" >"$log" 2>&1
  rc=$?
  tail -n 25 "$log"
  p=0; f=0
  # cargo test / wasm-bindgen-test: "test result: ok. 12 passed; 0 failed; ..."
  while read -r a b; do p=$((p + a)); f=$((f + b)); done < <(
    grep -E '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/')
  # Playwright list reporter: "  12 passed (30s)" / "  1 failed"
  if grep -qE '^\s+[0-9]+ (passed|failed)' "$log" && ! grep -q '^test result: ' "$log"; then
    p=$(grep -oE '^\s+[0-9]+ passed' "$log" | grep -oE '[0-9]+' | tail -1); p=${p:-0}
    f=$(grep -oE '^\s+[0-9]+ failed' "$log" | grep -oE '[0-9]+' | tail -1); f=${f:-0}
  fi
  # node --test: "# pass 12" / "# fail 0" (TAP, as written to a file)
  if grep -qE '^# (pass|fail) [0-9]+$' "$log"; then
    p=$(grep -E '^# pass [0-9]+$' "$log" | grep -oE '[0-9]+' | tail -1); p=${p:-0}
    f=$(grep -E '^# fail [0-9]+$' "$log" | grep -oE '[0-9]+' | tail -1); f=${f:-0}
  fi
  # A step with no test counts (fmt, clippy, budgets) counts as one check.
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    if [ $rc = 0 ]; then p=1; else f=1; fi
  elif [ $rc != 0 ] && [ "$f" = 0 ]; then
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f))
  tier_counts[$name]="$p passed, $f failed, $(( $(date +%s) - t0 ))s"
  if [ $rc != 0 ]; then
    steps_failed+=("$name")
    printf '\033[31m-- %s FAILED (exit %s); full log: %s\033[0m\n' "$name" "$rc" "$log"
  else
    printf '\033[32m-- %s ok: %s\033[0m\n' "$name" "${tier_counts[$name]}"
  fi
}

core_is_pure() {
  local bad
  bad=$(cargo tree -p kaozheng-core -e normal --target all --prefix none --format '{p}' |
    grep -E -o '^(leptos[a-z_]*|web-sys|js-sys|wasm-bindgen[a-z-]*|gloo[a-z-]*|tokio|sqlx[a-z-]*|axum|hyper|reqwest|indexed_db_futures) ' | sort -u)
  if [ -n "$bad" ]; then
    echo "kaozheng-core must stay free of web and I/O crates, but depends on: $bad"
    return 1
  fi
  echo "kaozheng-core depends on no web or I/O crate"
}

wasm_tests() {
  TMPDIR=$scratch CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=180 \
    cargo test -p kaozheng --target wasm32-unknown-unknown --test indexeddb --test indexeddb_personal
}

# Schemathesis and e2e run the server the native tests built (debug, password hashing optimized; see
# Cargo.toml) instead of building a release server: the build is already there, and the tiers test
# behaviour, not speed (bench/ measures the release build). `cargo test --no-run` compiles nothing
# after native-tests and puts that build's binary back at target/debug/kaozheng-server (`cargo
# build` would compile another: without the dev-dependencies' features).
server_bin=$PWD/target/debug/kaozheng-server
server_built() {
  cargo test --workspace --no-run
}

schemathesis() {
  server_built && KZ_SERVER_BIN=$server_bin crates/server/tests/schemathesis.sh
}

budgets() {
  server_built && KZ_SERVER_BIN=$server_bin bench/budgets.sh
}

e2e() {
  server_built && KZ_SERVER_BIN=$server_bin TMPDIR=$scratch npx playwright test
}

step setup scripts/setup.sh --test
step fmt cargo fmt --all -- --check
clippy_native() {
  # Also the production server without the demo school (feature `demo` off).
  cargo clippy --workspace --all-targets -- -D warnings &&
    cargo clippy -p kaozheng-server --no-default-features --all-targets -- -D warnings
}
step clippy-native clippy_native
clippy_wasm() {
  # The core's property tests need an OS random source, so its wasm check covers the library only.
  cargo clippy -p kaozheng --target wasm32-unknown-unknown --all-targets -- -D warnings &&
    cargo clippy -p kaozheng-core --target wasm32-unknown-unknown --lib -- -D warnings
}
step clippy-wasm clippy_wasm
step core-purity core_is_pure
native_tests() {
  # The app builds the core without the `error-paths` feature; test that configuration too.
  cargo test --workspace && cargo test -p kaozheng-core --no-default-features --lib
}
step native-tests native_tests
# The portal loader (public/embed.js) and the README's integrity hash for it, with Node's test runner.
step js-unit npm run -s unit
# The server's PostgreSQL variants (#[ignore]d without a server) on a throwaway PostgreSQL; the
# SQLite variants ran in native-tests. `--workspace` keeps native-tests' feature set, so the test
# binary built there runs as it is (`-p kaozheng-server` would rebuild the server and the core).
step postgres-tests scripts/with-postgres.sh cargo test --workspace --test server -- --ignored
if [ $quick = 0 ]; then
  step wasm-indexeddb wasm_tests
  step release-build env KZ_SERVER_BIN="$server_bin" scripts/build-app.sh
  # The built index.html pins every script and WASM file with a matching sha384 (skipped in
  # native-tests when nothing was built yet; required here).
  step integrity env KZ_REQUIRE_DIST=1 cargo test --workspace --test server the_built_app_loads
  # A short run by default (examples and coverage in full, 20 fuzzed cases per operation); --long
  # runs 100 per operation.
  step schemathesis schemathesis
  # Byte budgets (release WASM, first-load total) from bench/budgets.json; see the README's Benchmarks.
  # The server built for the tests above: the bytes it sends do not depend on its build profile,
  # and a release build of it costs a fresh machine about 12 minutes.
  step byte-budgets budgets
  step e2e-playwright e2e
  # Resumable: what an earlier --long run finished is not run again (scripts/long-runs.sh).
  [ $long = 1 ] && step long-runs scripts/long-runs.sh
elif [ $long = 1 ]; then
  step long-runs scripts/long-runs.sh fuzz import-fuzz
fi

elapsed=$(( $(date +%s) - started ))
printf '\n\033[1m== summary\033[0m (%dm%02ds)\n' $((elapsed / 60)) $((elapsed % 60))
for k in setup fmt clippy-native clippy-wasm core-purity native-tests js-unit postgres-tests wasm-indexeddb release-build integrity schemathesis byte-budgets e2e-playwright long-runs; do
  [ -n "${tier_counts[$k]:-}" ] && printf '  %-16s %s\n' "$k" "${tier_counts[$k]}"
done
[ ${#steps_failed[@]} -gt 0 ] && echo "  failed steps: ${steps_failed[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
