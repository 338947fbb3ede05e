#!/usr/bin/env bash
# Browser performance figures (printed, not asserted): simulation events/s in wasm in headless
# Chromium and natively in the same run (the ZooKeeper benchmark and the Kafka seed cluster),
# the wasm file size gzipped, page load to the first rendered cluster, and frame times while
# animating. Native and wasm figures are each the best of repeated runs (wasm: after V8's
# optimising compiler has warmed up — see e2e/bench.mjs), so a busy machine shows less.
#   scripts/bench-web.sh [ZK_VIRTUAL_SECONDS (300)] [KAFKA_VIRTUAL_SECONDS (3600)]
set -euo pipefail
cd "$(dirname "$0")/.."
ZK_SECS="${1:-300}"
KAFKA_SECS="${2:-3600}"
scripts/setup.sh --web
scripts/build-web.sh
cargo build --locked --release --bin sandbox
# Best events/s of 3 native runs of one benchmark.
best_native() {
  local best=0 line eps
  for _ in 1 2 3; do
    line=$(target/release/sandbox bench --only "$1" --seconds "$2")
    eps=$(sed -E 's/.* = ([0-9]+) events\/s.*/\1/' <<<"$line")
    echo "  $line" >&2
    [ "$eps" -gt "$best" ] && best=$eps
  done
  echo "$best"
}
echo "== native (target/release/sandbox bench --only zk|kafka-seed --seconds N, best of 3)"
NATIVE_EPS=$(best_native zk "$ZK_SECS")
NATIVE_KAFKA_EPS=$(best_native kafka-seed "$KAFKA_SECS")
echo "== browser"
NATIVE_EPS="$NATIVE_EPS" NATIVE_KAFKA_EPS="$NATIVE_KAFKA_EPS" node e2e/bench.mjs "$ZK_SECS" "$KAFKA_SECS"
