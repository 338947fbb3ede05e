#!/usr/bin/env bash
# README command 1: set up, build the native runner, and replay the seed walkthrough's ZooKeeper
# steps (lessons/seed-zookeeper.txt). Extra arguments go to the runner, e.g. `--trace` or another
# script: `scripts/run.sh --trace lessons/seed-zookeeper.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --locked --release --bin sandbox
if [ "$#" -eq 0 ]; then
  set -- lessons/seed-zookeeper.txt
fi
exec target/release/sandbox "$@"
