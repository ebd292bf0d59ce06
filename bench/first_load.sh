#!/usr/bin/env bash
# First-load benchmark: a new user's first visit to the built site on a 10 Mbit/s link with 40 ms
# latency (headless Chromium, network emulated through the DevTools protocol; bench/first_load.mjs
# says exactly what is measured). For each SITE folder, serves it (web/serve.py) and prints one
# JSON line per URL suffix: seconds to a usable lab, seconds to a loaded dataset, bytes
# transferred (and the larger files). A benchmark, not a test: the times include compiling the
# WebAssembly on this machine's shared cores.
#
#   bash bench/first_load.sh [SITE ...]        default SITE: build-wasm/site
#   FIRST_LOAD_SUFFIXES='"" "?subset=50k"' bash bench/first_load.sh ...
#     URL suffixes to open (default: "", the site's default subset).
#   FIRST_LOAD_SERVE=--precompressed bash bench/first_load.sh ...
#     options of web/serve.py (--precompressed: FILE.gz/.br as a host configured for them sends).
#   FIRST_LOAD_MBIT=0 bash bench/first_load.sh ...   no network emulation (the CPU's floor).
#   Needs tests/browser's node_modules (playwright-core) and Debian's chromium.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -gt 0 ] || set -- "$repo_root/build-wasm/site"
eval "suffixes=(${FIRST_LOAD_SUFFIXES:-\"\"})"
for site in "$@"; do
  [ -f "$site/index.html" ] || { echo "first_load.sh: $site has no index.html: build the site first" >&2; exit 2; }
  log=$(mktemp)
  # shellcheck disable=SC2086
  CNNLAB_SERVE_QUIET=1 python3 "$repo_root/web/serve.py" "$site" --port 0 ${FIRST_LOAD_SERVE:-} >"$log" 2>&1 &
  server=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$log" | head -n1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "first_load.sh: the server did not start: $(cat "$log")" >&2; kill "$server"; exit 1; }
  echo "== $site ${FIRST_LOAD_SERVE:-}"
  status=0
  node "$repo_root/bench/first_load.mjs" "http://127.0.0.1:$port/" "${suffixes[@]}" || status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
  [ "$status" -eq 0 ] || exit "$status"
done
