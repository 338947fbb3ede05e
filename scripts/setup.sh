#!/usr/bin/env bash
# Installs what the project needs on a fresh machine of this kind, and skips what is already there.
# Idempotent: a second run takes seconds.
#   scripts/setup.sh            wasm32 target only (enough for `cargo test` + the wasm32 build check)
#   scripts/setup.sh --web      also wasm-pack, wasm-bindgen-cli, binaryen's wasm-opt (npm), Chromium,
#                               chromedriver and playwright-core (npm) for the browser page and its tests
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS="$ROOT/.tools"
WEB=0
for a in "$@"; do case "$a" in --web) WEB=1 ;; *) echo "setup.sh: unknown option $a" >&2; exit 2 ;; esac; done

say() { printf '[setup] %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# scripts/test.sh checks formatting and lints first.
for c in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    say "adding the $c component"
    rustup component add "$c"
  fi
done

[ "$WEB" = 1 ] || exit 0

if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack from crates.io (a few minutes, once)"
  cargo install wasm-pack --locked
fi

# wasm-pack wants a wasm-bindgen CLI of exactly the version in Cargo.lock; it cannot download one here.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ -z "$WB_VERSION" ]; then cargo generate-lockfile >/dev/null 2>&1; WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock); fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION from crates.io (a few minutes, once)"
  # --locked can fail when a locked dependency was yanked from crates.io; then resolve afresh.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

mkdir -p "$TOOLS"
# axe-core: the accessibility check of the page's e2e tests (e2e/lessons.test.mjs).
if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] || [ ! -d "$TOOLS/node_modules/playwright-core" ] || [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ]; then
  say "installing binaryen (wasm-opt), playwright-core and axe-core from npm into .tools/"
  ( cd "$TOOLS" && { [ -f package.json ] || echo '{"name":"zkafka-sandbox-tools","private":true}' > package.json; } \
    && npm install --no-save --silent binaryen@132 playwright-core@1 axe-core@4 >/dev/null )
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# Korean text in the screenshots (without a CJK font Chromium draws boxes; the DOM text is right).
if [ ! -d /usr/share/fonts/opentype/noto ] || ! ls /usr/share/fonts/opentype/noto | grep -q CJK; then
  say "installing Debian's fonts-noto-cjk (Korean in screenshots)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq fonts-noto-cjk >/dev/null || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }
fi
say "tools ready"
