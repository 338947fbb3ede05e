#!/usr/bin/env bash
# Builds the browser package www/pkg/ (wasm-pack, release profile, --target web) unless it is
# newer than every source file. wasm-opt comes from .tools/node_modules/.bin (binaryen 132):
# Debian's binaryen is too old for wasm-bindgen's output.
#
# The module is built for size except on the simulation's hot path, in two cargo builds:
#   1. target/wasm-names: the module as .cargo/config.toml builds it (opt-level 3), only for its
#      name section: scripts/hot-functions.mjs looks up the mangled names of the hot functions
#      there (symbol names do not depend on the rustc flags, so they are the same in build 2);
#   2. wasm-pack, with target/wasm-hot.toml appended to the wasm32 rustflags: LLVM gives every
#      function the `minsize`/`optsize` attributes of opt-level "z" except those hot functions.
# That is 247 KB gzipped at opt-level 3's speed; the plain opt-level 3 module is 274 KB
# (README § Tests and figures).
#   WASM_HOT=0 scripts/build-web.sh   the plain opt-level 3 module, for comparison
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
WASM=www/pkg/zkafka_sandbox_bg.wasm
MODE="hot=${WASM_HOT:-1}"
if [ -f "$WASM" ] && [ "$(cat www/pkg/.build-mode 2>/dev/null)" = "$MODE" ] \
  && [ -z "$(find src Cargo.toml Cargo.lock .cargo scripts/hot-functions.mjs -newer "$WASM" -print -quit)" ]; then
  echo "[build-web] www/pkg is up to date" >&2
  exit 0
fi
extra=()
if [ "$MODE" = hot=1 ]; then
  echo "[build-web] 1/2 cargo build --release --target wasm32-unknown-unknown (target/wasm-names: names of the hot functions)" >&2
  CARGO_TARGET_DIR=target/wasm-names cargo build --quiet --locked --release --lib --target wasm32-unknown-unknown
  flags=$(node scripts/hot-functions.mjs target/wasm-names/wasm32-unknown-unknown/release/zkafka_sandbox.wasm)
  { echo '# Written by scripts/build-web.sh from scripts/hot-functions.mjs: appended to the wasm32 rustflags.'
    echo '[target.wasm32-unknown-unknown]'
    echo 'rustflags = ['
    sed 's/.*/  "&",/' <<<"$flags"
    echo ']'; } > target/wasm-hot.toml
  extra=(-- --config target/wasm-hot.toml)
  echo "[build-web] 2/2 wasm-pack build --release --target web --out-dir www/pkg (opt-level 3 kept for $(( $(grep -c force-remove <<<"$flags") / 2 )) hot symbols)" >&2
else
  echo "[build-web] wasm-pack build --release --target web --out-dir www/pkg (plain opt-level 3)" >&2
fi
wasm-pack --quiet build --release --target web --out-dir www/pkg --no-typescript --no-pack "${extra[@]}"
if [ "$MODE" = hot=1 ] && ! node scripts/hot-functions.mjs --verify \
    target/wasm-names/wasm32-unknown-unknown/release/zkafka_sandbox.wasm target/wasm32-unknown-unknown/release/zkafka_sandbox.wasm; then
  echo "[build-web] warning: the two builds name functions differently, so some hot functions were built for size" >&2
fi
echo "$MODE" > www/pkg/.build-mode
rm -f www/pkg/.opt-level
touch "$WASM"
