#!/usr/bin/env bash
# Builds the browser package www/pkg/ (wasm-pack, release profile, --target web) unless it is
# newer than every source file. wasm-opt comes from .tools/node_modules/.bin (binaryen 132):
# Debian's binaryen is too old for wasm-bindgen's output.
#   WASM_OPT_LEVEL=s scripts/build-web.sh   a smaller module (opt-level "s" for this build only:
#                                           about 10% smaller gzipped, somewhat slower)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
WASM=www/pkg/zkafka_sandbox_bg.wasm
LEVEL="${WASM_OPT_LEVEL:-3}"
if [ -f "$WASM" ] && [ "$(cat www/pkg/.opt-level 2>/dev/null)" = "$LEVEL" ] \
  && [ -z "$(find src Cargo.toml Cargo.lock .cargo -newer "$WASM" -print -quit)" ]; then
  echo "[build-web] www/pkg is up to date" >&2
  exit 0
fi
echo "[build-web] wasm-pack build --release --target web --out-dir www/pkg (opt-level $LEVEL)" >&2
# The override applies to this wasm32 build only (native builds keep the release profile as is).
CARGO_PROFILE_RELEASE_OPT_LEVEL="$LEVEL" \
  wasm-pack --quiet build --release --target web --out-dir www/pkg --no-typescript --no-pack
echo "$LEVEL" > www/pkg/.opt-level
touch "$WASM"
