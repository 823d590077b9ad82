#!/usr/bin/env bash
# Builds the app and starts the server with demo data on an embedded SQLite database.
#   scripts/run.sh [--port 8080] [--embed-demo] [extra kaozheng-server serve options]
# --embed-demo also serves the demo school portal embedding the app on the next port (8081).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
embed=0
port=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --embed-demo) embed=1 ;;
    --port) port="$2"; args+=("$1" "$2"); shift ;;
    *) args+=("$1") ;;
  esac
  shift
done
scripts/setup.sh
cargo build --release -p kaozheng-server
KZ_SERVER_BIN=target/release/kaozheng-server scripts/build-app.sh
if [ "$embed" = 1 ]; then
  demo_port=$((port + 1))
  node scripts/embed-demo.mjs --app "http://127.0.0.1:$port" --port "$demo_port" &
  demo=$!
  trap 'kill "$demo" 2>/dev/null' EXIT
  args+=(--frame-ancestor "http://127.0.0.1:$demo_port")
  case " ${args[*]} " in *" --port "*) ;; *) args+=(--port "$port") ;; esac
  target/release/kaozheng-server serve --demo --data-dir "${KAOZHENG_DATA_DIR:-var}" --dist dist "${args[@]}"
else
  exec target/release/kaozheng-server serve --demo --data-dir "${KAOZHENG_DATA_DIR:-var}" --dist dist "${args[@]+"${args[@]}"}"
fi
