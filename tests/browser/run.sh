#!/usr/bin/env bash
# Runs the browser end-to-end tests (tests/browser/*.test.mjs, node's built-in test runner)
# against a built site folder in Debian's headless Chromium. Builds nothing.
#
#   tests/browser/run.sh [SITE_DIR [ARTIFACTS_DIR]]
#   CNNLAB_BROWSER_TESTS="training.test.mjs" tests/browser/run.sh ...   (only those files)
#
# SITE_DIR is the cnnlab_site target's output: by default $CNNLAB_BUILD_WASM/site (scripts/test.sh
# sets CNNLAB_BUILD_WASM to its Emscripten build folder), else build-wasm/site. Screenshots and
# state dumps go to ARTIFACTS_DIR (default: SITE_DIR/../browser-artifacts, i.e. inside the build
# folder). Needs `npm ci` in tests/browser first (playwright-core; it never downloads a browser).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
site_arg=${1:-${CNNLAB_BUILD_WASM:-$repo/build-wasm}/site}
if [ ! -f "$site_arg/index.html" ]; then
  echo "run.sh: $site_arg has no index.html: build the site first" >&2
  echo "        (cmake --preset wasm -B BUILD && cmake --build BUILD --target cnnlab_site)" >&2
  exit 2
fi
site=$(cd "$site_arg" && pwd)
artifacts=${2:-$(dirname "$site")/browser-artifacts}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "run.sh: playwright-core is not installed: run 'npm ci' in tests/browser" >&2
  exit 2
fi
chromium=${CNNLAB_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "run.sh: $chromium not found (Debian package chromium)" >&2
  exit 2
fi

# The server prints "Serving DIR at http://127.0.0.1:PORT/" first; port 0 picks a free port.
server_log=$(mktemp)
CNNLAB_SERVE_QUIET=1 python3 "$repo/web/serve.py" "$site" --port 0 >"$server_log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -f "$server_log"
}
trap cleanup EXIT

port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$server_log" | head -n1)
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: the static server did not start:" >&2
    cat "$server_log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "run.sh: the static server printed no port" >&2
  exit 1
fi

export CNNLAB_SITE_URL="http://127.0.0.1:$port/"
# The build folder holding the site (training.test.mjs runs its cnnlab.js bench for the
# page-vs-node throughput comparison, unless CNNLAB_NODE_BENCH_IPS gives the figure).
export CNNLAB_BUILD_DIR=${CNNLAB_BUILD_DIR:-$(dirname "$site")}
export CNNLAB_ARTIFACTS="$artifacts"
# The site folder itself (embed.test.mjs serves it on a port of its own for the offline test).
export CNNLAB_SITE_DIR="$site"
export CNNLAB_CHROMIUM="$chromium"
echo "Browser tests: site $site served at $CNNLAB_SITE_URL, artifacts in $artifacts"
cd "$here"
status=0
# CNNLAB_BROWSER_TESTS: a space-separated subset of test files (default: all).
# shellcheck disable=SC2086
# Two test files at a time: most of a browser test's time is spent waiting for frames and the
# worker, so two overlap well on two cores (CNNLAB_BROWSER_JOBS=1 runs them one by one).
node --test --test-concurrency="${CNNLAB_BROWSER_JOBS:-2}" ${CNNLAB_BROWSER_TESTS:-./*.test.mjs} || status=$?
exit $status
