#!/usr/bin/env bash
# Builds the app and starts the server with demo data on an embedded SQLite database.
#   scripts/run.sh [--port 8080] [extra kaozheng-server serve options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
cargo build --release -p kaozheng-server
exec target/release/kaozheng-server serve --demo --data-dir "${KAOZHENG_DATA_DIR:-var}" --dist dist "$@"
