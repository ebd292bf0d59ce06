#!/usr/bin/env bash
# The main job of CNN Lab (second half of README's first command, after scripts/setup.sh): builds
# the lab's static site with Emscripten — the app, its training worker, the font and CIFAR-10
# subset packs made at build time from the default dataset (scripts/find-data.sh) — and serves it
# on http://127.0.0.1:PORT, printing the URL. Stop it with Ctrl-C.
#
# Usage: bash scripts/run-lab.sh
# Environment (all optional):
#   CNNLAB_PORT (8000; 0 picks a free port), CNNLAB_BUILD_PREFIX (build: the site is built in
#   build-wasm/site, the folder the test command's wasm suite uses), CNNLAB_JOBS (2),
#   CNNLAB_SITE_SUBSETS (the packed subsets, NAME:TRAIN_PER_CLASS:TEST_PER_CLASS;...; default
#   1k:100:200;5k:500:200;10k:1000:200;50k:0:0, see web/README.md), CNNLAB_CIFAR10 (see
#   scripts/find-data.sh), CNNLAB_NO_SERVE=1 (build only), CNNLAB_ISOLATE=1 (serve with the
#   cross-origin isolation headers: the page then trains with the threaded trainer, 2 threads).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

wasm_dir="$repo_root/${CNNLAB_BUILD_PREFIX:-build}-wasm"
jobs="${CNNLAB_JOBS:-2}"
imgui_dir="${CNNLAB_DEPS:-/usr/local/src/cnnlab-deps}/imgui-1.86"
port="${CNNLAB_PORT:-8000}"
subsets="${CNNLAB_SITE_SUBSETS:-1k:100:200;5k:500:200;10k:1000:200;50k:0:0}"

say() { echo "run-lab: $*"; }
die() { echo "run-lab: ERROR: $*" >&2; exit 1; }

data="$(bash scripts/find-data.sh)" || die "no dataset (run 'bash scripts/setup.sh' first)"
[ -f /usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake ] \
  || die "Emscripten not found (Debian package emscripten; run 'bash scripts/setup.sh')"
export NODE_PATH=/usr/share/nodejs  # Emscripten's JS optimizer needs Debian's acorn

imgui_flag=()
[ -d "$imgui_dir" ] && imgui_flag=(-DIMGUI_DIR="$imgui_dir")
say "building the lab's site in $wasm_dir/site (packs of $data: $subsets)"
# The wasm preset of CMakePresets.json (Emscripten's toolchain file), in the folder the prefix names.
cmake --preset wasm -B "$wasm_dir" "${imgui_flag[@]}" \
  -DCNNLAB_SITE_DATA="$data" -DCNNLAB_SITE_SUBSETS="$subsets" >/dev/null
cmake --build "$wasm_dir" -j "$jobs" --target cnnlab_site
site="$wasm_dir/site"
[ -f "$site/index.html" ] && [ -f "$site/cnnlab_app.wasm" ] && [ -f "$site/cnnlab_trainer.wasm" ] \
  || die "$site is incomplete"

if [ "${CNNLAB_NO_SERVE:-0}" = 1 ]; then
  say "built $site (not serving: CNNLAB_NO_SERVE=1)"
  exit 0
fi
say "serving $site — open the URL below in a browser (Ctrl-C stops the server)"
# web/serve.py prints "Serving DIR at http://127.0.0.1:PORT/".
isolate_flag=()
[ "${CNNLAB_ISOLATE:-0}" = 1 ] && isolate_flag=(--isolate)
exec python3 web/serve.py "$site" --port "$port" "${isolate_flag[@]}"
