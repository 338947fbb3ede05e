#!/usr/bin/env bash
# README command 2: every test. Installs what it needs (idempotent), then:
#   0. formatting (rustfmt.toml) and lints (clippy.toml: no HashMap/HashSet, wall clock or OS entropy
#      in the library), first, so that a failure shows within a minute,
#   1. the core built for wasm32-unknown-unknown (the browser target),
#   2. cargo test: unit tests, behaviour tests, 1,000 swarm seeds, determinism, 100,000 fuzzed lines,
#   3. the wasm facade in headless Chromium (wasm-pack test), checked against the native trace hash,
#   4. the page end to end in headless Chromium (playwright-core; screenshots in target/e2e/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --web
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy (native, all targets; the library for wasm32)"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings
echo "== wasm32 build of the core"
cargo build --locked --lib --target wasm32-unknown-unknown
echo "== cargo test"
cargo test --locked
echo "== wasm facade in Chromium (wasm-pack test --headless --chrome)"
# The test profile: the artefacts `cargo test` just built (no extra release build).
ZKAFKA_NATIVE_HASH=$(cargo run --quiet --locked --profile test --example web_hash)
export ZKAFKA_NATIVE_HASH
echo "native trace hash of tests/web/determinism.txt: $ZKAFKA_NATIVE_HASH"
wasm-pack test --headless --chrome -- --locked --test wasm
echo "== the page in Chromium (node --test e2e/)"
scripts/build-web.sh
node --test e2e/
