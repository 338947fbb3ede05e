#!/usr/bin/env bash
# Builds the browser package www/pkg/ (wasm-pack, release profile, --target web) unless it is
# newer than every source file. wasm-opt comes from .tools/node_modules/.bin (binaryen 132):
# Debian's binaryen is too old for wasm-bindgen's output.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
WASM=www/pkg/zkafka_sandbox_bg.wasm
if [ -f "$WASM" ] && [ -z "$(find src Cargo.toml Cargo.lock -newer "$WASM" -print -quit)" ]; then
  echo "[build-web] www/pkg is up to date" >&2
  exit 0
fi
echo "[build-web] wasm-pack build --release --target web --out-dir www/pkg" >&2
wasm-pack --quiet build --release --target web --out-dir www/pkg --no-typescript --no-pack
touch "$WASM"
