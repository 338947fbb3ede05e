#!/usr/bin/env bash
# README command 1: set up what is missing, build the browser package and serve the page:
#   scripts/run.sh                      serve www/ on http://127.0.0.1:8080/ (PORT=… to change)
#   scripts/run.sh --script FILE [ARGS] replay a script with the native runner instead, e.g.
#                                       scripts/run.sh --script lessons/seed-zookeeper.txt --trace
# Any other arguments also go to the native runner (`--seed N`, `--trace`, `bench`, `swarm`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then
  scripts/setup.sh
  cargo build --locked --release --bin sandbox
  args=()
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --script) shift; args+=("${1:?--script needs a file}") ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  exec target/release/sandbox "${args[@]}"
fi
scripts/setup.sh --web
scripts/build-web.sh
PORT="${PORT:-8080}"
echo "Serving the sandbox at http://127.0.0.1:$PORT/  (Ctrl-C stops it)"
echo "  e.g. http://127.0.0.1:$PORT/?seed=1&zk=3&brokers=4   or   ?embed=1 for an 800x600 frame"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 -d www
