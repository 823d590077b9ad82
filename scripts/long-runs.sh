#!/usr/bin/env bash
# The long reliability runs, in resumable chunks (scripts/test.sh --long runs all of them):
#   scripts/long-runs.sh [fuzz] [import-fuzz] [chaos]   the runs named (default: all three)
#   KZ_LONG_MAX_CHUNKS=N   run at most N chunks now; the next call goes on with the rest
#   KZ_LONG_FRESH=1        forget the finished chunks and start over
#
#   fuzz          the core's parsers (catalog, the four rule documents, the import field parsers),
#                 release build: 6 targets x 17 chunks x 100,000 = 10,200,000 executions
#   import-fuzz   every import kind through the whole import on SQLite, release build:
#                 10 chunks x 6 kinds x 2,000 = 120,000 executions
#   chaos         network chaos in the browser (needs the release build of the app):
#                 5 chunks x 200 = 1,000 seeded scenarios
#
# A chunk is seeded by its number (KZ_FUZZ_SEED, KZ_CHAOS_FROM), so it replays exactly. Each finished
# chunk is a line of target/long-runs/done (`run chunk count seconds`) and is skipped next time; a
# chunk that fails stops its run and is not recorded (a fuzz failure's shrunk input is in
# target/fuzz-failures/), so the next call starts with it again. Logs: target/long-runs/<run>-<chunk>.log.
# Ends with the totals and a cargo-style "test result:" line (one test per chunk run now).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

CORE_TARGETS=(catalog:fuzz_catalog_parser fees:fuzz_fee_rules grades:fuzz_grade_rules
  credits:fuzz_credit_rules graduation:fuzz_graduation_rules fields:fuzz_field_parsers)
CORE_CHUNKS=17
CORE_CASES=100000
IMPORT_CHUNKS=10
IMPORT_CASES=2000
CHAOS_CHUNKS=5
CHAOS_SCENARIOS=200

runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(fuzz import-fuzz chaos)
for r in "${runs[@]}"; do
  case "$r" in
    fuzz | import-fuzz | chaos) ;;
    *) echo "unknown run $r (fuzz, import-fuzz, chaos)" >&2; exit 2 ;;
  esac
done

state=target/long-runs
done_file=$state/done
mkdir -p "$state"
[ -n "${KZ_LONG_FRESH:-}" ] && rm -f "$done_file"
touch "$done_file"
ran=0
passed=0
failed=0

is_done() { grep -q "^$1 $2 " "$done_file"; }
budget_left() { [ -z "${KZ_LONG_MAX_CHUNKS:-}" ] || [ "$ran" -lt "$KZ_LONG_MAX_CHUNKS" ]; }

# chunk RUN CHUNK COUNT CMD...: runs one chunk unless it is done; COUNT is a sed -E expression that
# prints a number from each log line that counts (executions, scenarios); their sum is recorded.
chunk() {
  local run=$1 n=$2 expr=$3; shift 3
  is_done "$run" "$n" && return 0
  budget_left || return 1
  local log="$state/$run-$n.log" t0 count
  t0=$(date +%s)
  ran=$((ran + 1))
  if "$@" >"$log" 2>&1; then
    count=$(sed -nE "$expr" "$log" | awk '{s += $1} END {print s + 0}')
    echo "$run $n $count $(($(date +%s) - t0))" >>"$done_file"
    passed=$((passed + 1))
    printf '%s chunk %s: %s in %ss\n' "$run" "$n" "$count" "$(($(date +%s) - t0))"
    return 0
  fi
  failed=$((failed + 1))
  echo "$run chunk $n FAILED; log: $log"
  tail -n 30 "$log"
  return 1
}

fuzz() {
  cargo test --release -p kaozheng-core --test fuzz_props --no-run || return 1
  local n spec name test
  for n in $(seq 0 $((CORE_CHUNKS - 1))); do
    for spec in "${CORE_TARGETS[@]}"; do
      name=${spec%%:*}
      test=${spec#*:}
      chunk "fuzz-$name" "$n" "s/^fuzz $name: ([0-9]+) executions.*/\\1/p" \
        env KZ_FUZZ_CASES=$CORE_CASES KZ_FUZZ_SEED="$n" \
        cargo test --release -p kaozheng-core --test fuzz_props -- "$test" --exact --nocapture || return 1
    done
  done
}

import_fuzz() {
  cargo test --release -p kaozheng-server --test server --no-run || return 1
  local n
  for n in $(seq 0 $((IMPORT_CHUNKS - 1))); do
    chunk import-fuzz "$n" 's/^fuzz import [a-z]+: ([0-9]+) executions.*/\1/p' \
      env KZ_IMPORT_FUZZ_CASES=$IMPORT_CASES KZ_FUZZ_SEED="$n" \
      cargo test --release -p kaozheng-server --test server -- \
      server::import_fuzz:: --nocapture || return 1
  done
}

chaos() {
  [ -f dist/index.html ] || scripts/build-app.sh || return 1
  cargo build --release -p kaozheng-server || return 1
  local n
  for n in $(seq 0 $((CHAOS_CHUNKS - 1))); do
    chunk chaos "$n" 's/^ *chaos: seed=[0-9]+ scenarios=([0-9]+) actions.*/\1/p' \
      env KZ_CHAOS_FROM=$((n * CHAOS_SCENARIOS)) KZ_CHAOS_SCENARIOS=$CHAOS_SCENARIOS \
      npx playwright test tests/e2e/chaos/chaos.spec.ts || return 1
  done
}

for r in "${runs[@]}"; do
  case "$r" in
    fuzz) fuzz ;;
    import-fuzz) import_fuzz ;;
    chaos) chaos ;;
  esac
done

echo
echo "long runs (finished chunks, all calls so far; target/long-runs/done):"
awk '{
  chunks[$1]++; count[$1] += $3; secs[$1] += $4
} END {
  for (k in chunks) printf "  %-18s %3d chunks  %10d  %6ds\n", k, chunks[k], count[k], secs[k]
}' "$done_file" | sort
awk '/^fuzz-/ {c += $3} END {printf "  core fuzz executions: %d of %d\n", c, '"$((CORE_CHUNKS * CORE_CASES * ${#CORE_TARGETS[@]}))"'}' "$done_file"
awk '$1 == "import-fuzz" {c += $3} END {printf "  import fuzz executions: %d of %d\n", c, '"$((IMPORT_CHUNKS * IMPORT_CASES * 6))"'}' "$done_file"
echo "test result: $([ $failed = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed; 0 ignored; 0 measured; 0 filtered out"
[ $failed = 0 ]
