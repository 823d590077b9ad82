#!/usr/bin/env bash
# Schema-driven fuzzing of the OpenAPI document with schemathesis (PyPI, pinned) against the real
# server (release build, or KZ_SERVER_BIN) with the demo school on a fresh SQLite database:
#   crates/server/tests/schemathesis.sh
# Every operation is generated from /api/v1/openapi.json (examples, coverage and fuzzing phases,
# positive and negative data, a fixed seed), signed in as a demo student. It fails on any 5xx and on
# any response whose status, content type, headers or body the document does not describe, on
# invalid data that is accepted, on secured operations that work without credentials, and on
# undocumented methods that are not refused with 405.
# Student operations run with a demo student's token; the admin operations (imports, exports, the
# staff's plans and phase moves, `admin/me`) run with an admin token made by the CLI (a student
# token there is refused with 403, which the integration tests cover); the staff sign-out runs last
# on a demo staff session of its own.
# One worker: CPython 3.11's parser is not safe for hypothesis describing lambdas in two threads.
# POST /auth/logout revokes the token every other request uses, so it runs last, on its own token.
# Prints the figures and a cargo-style "test result:" line (one test per operation) for
# scripts/test.sh. SCHEMATHESIS_MAX_EXAMPLES sets the fuzzing budget per operation: 20 by default
# (784 cases, about 10 s once built), 100 in `scripts/test.sh --long` (1,946 cases, about 40 s); the
# examples and coverage phases run in full either way. KEEP_TMP=1 keeps the server log and the
# event logs.
set -euo pipefail
cd "$(dirname "$0")/../../.."

VERSION=4.32.5
venv=target/schemathesis-venv
st="$venv/bin/schemathesis"
if ! "$st" --version 2>/dev/null | grep -q "version $VERSION\$"; then
  echo "schemathesis: installing schemathesis $VERSION into $venv"
  if ! python3 -m venv "$venv"; then
    # Debian ships venv separately.
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q --no-install-recommends python3-venv
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

# KZ_SERVER_BIN picks the server binary (scripts/test.sh passes the debug build the native tests
# made); without it the release server is built.
if [ -n "${KZ_SERVER_BIN:-}" ]; then
  bin=$KZ_SERVER_BIN
else
  cargo build --release -p kaozheng-server
  bin=target/release/kaozheng-server
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kaozheng-schemathesis.XXXXXX")
pid=
cleanup() {
  local rc=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$rc" != 0 ] && [ -f "$tmp/server.log" ]; then
    echo "--- last server log lines"
    tail -n 40 "$tmp/server.log"
  fi
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

"$bin" serve --demo --port 0 --data-dir "$tmp/var" --dist "$tmp/dist" \
  >"$tmp/stdout" 2>"$tmp/server.log" &
pid=$!
url=
for _ in $(seq 1 600); do
  url=$(sed -n 's/^Kaozheng serving on \(http:[^ ]*\)$/\1/p' "$tmp/stdout")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "the server exited"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start"; exit 1; }
echo "schemathesis: server at $url"

login() {
  python3 - "$url" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(
    sys.argv[1] + "api/v1/auth/login",
    data=json.dumps({"student_no": "TJ2024001", "password": "kaozheng-demo"}).encode(),
    headers={"content-type": "application/json"},
)
print(json.load(urllib.request.urlopen(req))["token"])
PY
}
token=$(login)
logout_token=$(login)
admin_token=$("$bin" admin-token create --name schemathesis --data-dir "$tmp/var" 2>/dev/null)
staff_token=$(python3 - "$url" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(
    sys.argv[1] + "api/v1/auth/staff/login",
    data=json.dumps({"username": "demo-tianjin", "password": "kaozheng-demo"}).encode(),
    headers={"content-type": "application/json"},
)
print(json.load(urllib.request.urlopen(req))["token"])
PY
)

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,ignored_auth,unsupported_method
run() {
  local name=$1 token=$2
  shift 2
  "$st" run "${url}api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$checks" \
    --phases examples,coverage,fuzzing \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
    --seed 20261121 \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report ndjson --report-ndjson-path "$tmp/$name.ndjson" \
    "$@"
}
rc=0
admin_ops=(adminImport exportFeedback exportRegistrations staffMe staffPlans movePlanPhase)
exclude=() include=()
for op in "${admin_ops[@]}"; do
  exclude+=(--exclude-operation-id "$op")
  include+=(--include-operation-id "$op")
done
run main "$token" --exclude-operation-id logout --exclude-operation-id staffLogout "${exclude[@]}" \
  || rc=$?
run admin "$admin_token" "${include[@]}" || rc=$?
run logout "$logout_token" --include-operation-id logout || rc=$?
run staff-logout "$staff_token" --include-operation-id staffLogout || rc=$?

# The figures, from the runs' event logs.
python3 - "$rc" "$tmp/main.ndjson" "$tmp/admin.ndjson" "$tmp/logout.ndjson" "$tmp/staff-logout.ndjson" <<'PY'
import json, sys

rc = int(sys.argv[1])
operations, failed_ops = set(), set()
cases = requests = checks_run = failures = 0
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            (kind, body), = json.loads(line).items()
            if kind != "ScenarioFinished":
                continue
            recorder = body.get("recorder") or {}
            label = recorder.get("label", "")
            operations.add(label)
            cases += len(recorder.get("cases") or {})
            requests += len(recorder.get("interactions") or {})
            for results in (recorder.get("checks") or {}).values():
                checks_run += len(results)
                bad = [c for c in results if c.get("status") != "success"]
                failures += len(bad)
                if bad:
                    failed_ops.add(label)
print(f"schemathesis figures: {len(operations)} operations, {cases} test cases, "
      f"{requests} recorded requests, {checks_run} checks, {failures} failed checks")
failed = len(failed_ops) or (1 if rc else 0)
status = "ok" if failed == 0 else "FAILED"
print(f"test result: {status}. {len(operations) - len(failed_ops)} passed; {failed} failed; "
      "0 ignored; 0 measured; 0 filtered out")
PY
exit "$rc"
