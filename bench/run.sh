#!/usr/bin/env bash
# The benchmarks in one command: builds the release app and server, measures, writes
# bench/results/<YYYY-MM-DD>.json and regenerates bench/RESULTS.md from it.
#
#   bench/run.sh                      everything: bytes, lighthouse, browser, server (~13 min on 2 cores
#                                     once built; cold release builds add ~10 min)
#   bench/run.sh --only browser       one group (repeatable: --only bytes --only server); the other
#                                     groups of today's results file are kept
#   bench/run.sh --quick              fewer runs and shorter load phases (a smoke run, ~5 min)
#   bench/run.sh --tag after          writes bench/results/<date>-after.json (before/after the same day)
#   bench/run.sh --no-build           measure dist/ and target/release as they are
#   bench/run.sh --no-postgres        server group on SQLite only
#
# Installs what is missing from the registries only: scripts/setup.sh --test (Rust target, Trunk,
# wasm-bindgen, npm packages including lighthouse@12, Debian's chromium, postgresql, brotli) and
# Debian's wrk. Every server, browser and load generator a group starts is stopped when it ends or
# fails, and its temporary directory removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
# The command line as given, recorded in the results file.
export KZ_BENCH_ARGS="$*"

groups=()
quick=0
tag=
build=1
postgres=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only)
      case "${2:-}" in
        bytes | lighthouse | browser | server) groups+=("$2") ;;
        *) echo "--only takes bytes, lighthouse, browser or server" >&2; exit 2 ;;
      esac
      shift ;;
    --quick) quick=1 ;;
    --tag)
      tag=${2:-}
      [[ "$tag" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "--tag takes a word ([A-Za-z0-9_-])" >&2; exit 2; }
      shift ;;
    --no-build) build=0 ;;
    --no-postgres) postgres=0 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#groups[@]} -gt 0 ] || groups=(bytes lighthouse browser server)
want() { [[ " ${groups[*]} " == *" $1 "* ]]; }
quick_flag=()
[ $quick = 1 ] && quick_flag=(--quick)

say() { printf '\033[1m[bench %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
started=$(date +%s)
parts=$(mktemp -d "${TMPDIR:-/tmp}/kz-bench-parts.XXXXXX")
child=
on_exit() {
  local rc=$?
  # The node scripts stop their own servers and browsers; this only covers a signal that reached
  # this shell alone.
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  rm -rf "$parts"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ---- tools ----
say "tools (scripts/setup.sh --test, then what only the bench needs)"
scripts/setup.sh --test >&2
if [ ! -x node_modules/.bin/lighthouse ]; then
  say "installing npm packages (lighthouse)"
  npm ci --no-audit --no-fund >&2
fi
if want server && ! command -v wrk >/dev/null; then
  say "installing Debian's wrk"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wrk >&2 \
    || { $SUDO apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wrk >&2; }
fi

# ---- builds ----
target=${CARGO_TARGET_DIR:-target}
build_started=$(date +%s)
if [ $build = 1 ]; then
  say "release build of the app (scripts/build-app.sh)"
  scripts/build-app.sh >&2
  say "release build of the server and the catalog builder"
  cargo build --release -p kaozheng-server -p kaozheng-catalog-build >&2
  if want server; then
    say "release build of the ceiling (bench/ceiling)"
    cargo build --release --locked --manifest-path bench/ceiling/Cargo.toml --target-dir "$target/bench-ceiling" >&2
  fi
fi
build_seconds=$(( $(date +%s) - build_started ))

synthetic="$target/bench/synthetic-10000.json"
if want bytes || want browser; then
  mkdir -p "$target/bench"
  "$target/release/kaozheng-catalog-build" synthetic --count 10000 --seed 1 --out "$synthetic" >&2
fi

# ---- the groups ----
failed=()
declare -A seconds
run_group() {
  local name=$1 t0 rc
  shift
  say "== $name"
  t0=$(date +%s)
  set +e
  "$@" &
  child=$!
  wait "$child"
  rc=$?
  child=
  set -e
  seconds[$name]=$(( $(date +%s) - t0 ))
  if [ $rc != 0 ]; then
    failed+=("$name")
    say "$name FAILED (exit $rc); the other groups go on"
  else
    say "$name done in ${seconds[$name]} s"
  fi
}

want bytes && run_group bytes node bench/bytes.mjs --out "$parts/bytes.json" --synthetic "$synthetic"
want lighthouse && run_group lighthouse node bench/lighthouse.mjs --out "$parts/lighthouse.json" "${quick_flag[@]}"
want browser && run_group browser node bench/browser.mjs --out "$parts/browser.json" --synthetic "$synthetic" "${quick_flag[@]}"
if want server; then
  run_group server-sqlite node bench/server.mjs --db sqlite --out "$parts/server-sqlite.json" \
    --ceiling "$target/bench-ceiling/release/kaozheng-bench-ceiling" "${quick_flag[@]}"
  if [ $postgres = 1 ]; then
    run_group server-postgres scripts/with-postgres.sh node bench/server.mjs --db postgres \
      --out "$parts/server-postgres.json" "${quick_flag[@]}"
  fi
fi

# ---- results ----
timings=$(for k in "${!seconds[@]}"; do printf '%s=%s,' "$k" "${seconds[$k]}"; done)
name=$(date +%F)${tag:+-$tag}
file=$(node bench/report.mjs merge --parts "$parts" --name "$name" --quick "$quick" --started "$started" \
  --build-seconds "$build_seconds" --group-seconds "${timings%,}" --failed "${failed[*]:-}")
node bench/report.mjs render "$file"
elapsed=$(( $(date +%s) - started ))
say "results: $file and bench/RESULTS.md ($((elapsed / 60))m$((elapsed % 60))s, of which builds ${build_seconds}s)"
if [ ${#failed[@]} -gt 0 ]; then
  say "failed groups: ${failed[*]}"
  exit 1
fi
