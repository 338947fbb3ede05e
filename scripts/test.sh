#!/usr/bin/env bash
# README command 2: every test. Installs what it needs (idempotent), then:
#   1. the core built for wasm32-unknown-unknown (the browser target),
#   2. cargo test: unit tests, behaviour tests, 1,000 swarm seeds, determinism, 100,000 fuzzed lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== wasm32 build of the core"
cargo build --locked --lib --target wasm32-unknown-unknown
echo "== cargo test"
cargo test --locked
