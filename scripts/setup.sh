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
# Debian packages download and unpack while the Rust tools compile (the network and the disk
# instead of the CPU), so a fresh machine waits for the longer of the two, not their sum.
apt_pid=
apt_log=$(mktemp "${TMPDIR:-/tmp}/kaozheng-setup-apt.XXXXXX")
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages in the background: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  {
    $SUDO apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
  } >"$apt_log" 2>&1 &
  apt_pid=$!
fi
apt_done() {
  [ -n "$apt_pid" ] || return 0
  if ! wait "$apt_pid"; then
    cat "$apt_log" >&2
    echo "setup: installing ${apt_missing[*]} failed" >&2
    exit 1
  fi
  apt_pid=
  say "Debian packages installed"
}
trap 'rm -f "$apt_log"' EXIT

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The two Rust tools compile side by side: each build ends in a stretch of one crate at a time
# (the tool itself, the link) that leaves a core idle for the other. Both build at opt-level 1: their
# speed does not matter here (trunk runs wasm-bindgen and wasm-opt; wasm-bindgen takes about a second
# a build), and trunk's own release profile (fat LTO, one codegen unit) is minutes of serial work on
# 2 cores. Config-level profile settings override a package's own for `cargo install`.
tool_pids=()
tool_logs=()
install_tool() {
  local what=$1; shift
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/kaozheng-setup-tool.XXXXXX")
  say "installing $what in the background"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    "$@" >"$log" 2>&1 &
  tool_pids+=("$!")
  tool_logs+=("$what:$log")
}
tools_done() {
  local i ok=1
  for i in "${!tool_pids[@]}"; do
    if ! wait "${tool_pids[$i]}"; then
      ok=0
      echo "setup: installing ${tool_logs[$i]%%:*} failed:" >&2
      tail -n 40 "${tool_logs[$i]#*:}" >&2
    fi
    rm -f "${tool_logs[$i]#*:}"
  done
  [ $ok = 1 ] || exit 1
  [ ${#tool_pids[@]} = 0 ] || say "Rust tools installed"
}

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  install_tool "trunk $TRUNK_VERSION" cargo install --locked "trunk@$TRUNK_VERSION"
fi

# The CLI must equal the wasm-bindgen library version in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\b" \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  # --locked fails on this registry mirror (a yanked transitive crate); fall back to a plain install.
  install_tool "wasm-bindgen-cli $wb_version" sh -c \
    "cargo install --locked wasm-bindgen-cli --version $wb_version || cargo install --force wasm-bindgen-cli --version $wb_version"
fi

# npm tools: binaryen's wasm-opt 132 (Debian's 108 miscompiles), terser for the JS glue and Playwright's test runner.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
fi
tools_done
apt_done
say "tools ready"
