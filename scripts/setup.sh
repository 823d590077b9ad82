#!/usr/bin/env bash
# Installs whatever this machine lacks to build and test Kaozheng; skips what is already there.
#   scripts/setup.sh          tools to build and run the app (Rust wasm target, Trunk, wasm-bindgen, npm tools)
#   scripts/setup.sh --test   also what the tests need (Chromium, ChromeDriver, PostgreSQL)
# Only package registries are reachable from these machines (crates.io, npm, Debian), so every tool
# comes from one of them, pinned.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_missing=()
need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
need_apt brotli
if [ "$want_test" = 1 ]; then
  need_apt chromium
  need_apt chromium-driver
  # Without a CJK font, Chinese renders as boxes in screenshots and printed tickets.
  need_apt fonts-noto-cjk
  need_apt postgresql
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

# The CLI must equal the wasm-bindgen library version in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\b" \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $wb_version (about 3 minutes)"
  # --locked fails on this registry mirror (a yanked transitive crate); fall back to a plain install.
  cargo install --locked wasm-bindgen-cli --version "$wb_version" \
    || cargo install --force wasm-bindgen-cli --version "$wb_version"
fi

# npm tools: binaryen's wasm-opt 132 (Debian's 108 miscompiles) and Playwright's test runner.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
fi
say "tools ready"
