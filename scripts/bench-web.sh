#!/usr/bin/env bash
# Browser performance figures (printed, not asserted): simulation events/s in wasm in headless
# Chromium and natively in the same run, the wasm file size gzipped, page load to the first
# rendered cluster, and frame times while animating at ×1 and ×100.
#   scripts/bench-web.sh [VIRTUAL_SECONDS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-300}"
scripts/setup.sh --web
scripts/build-web.sh
cargo build --locked --release --bin sandbox
echo "== native: target/release/sandbox bench --seconds $SECS"
ALL=$(target/release/sandbox bench --seconds "$SECS")
echo "$ALL"
NATIVE=$(grep '^zk 3 servers + 4 writers, trace hashed only' <<<"$ALL")
NATIVE_EPS=$(sed -E 's/.* = ([0-9]+) events\/s.*/\1/' <<<"$NATIVE")
NATIVE_K=$(grep '^kafka seed cluster' <<<"$ALL")
NATIVE_KAFKA_EPS=$(sed -E 's/.* = ([0-9]+) events\/s.*/\1/' <<<"$NATIVE_K")
echo "== browser"
NATIVE_EPS="$NATIVE_EPS" NATIVE_KAFKA_EPS="$NATIVE_KAFKA_EPS" node e2e/bench.mjs "$SECS"
