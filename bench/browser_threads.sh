#!/usr/bin/env bash
# Threaded trainer in the browser: trains the cnn (k=3, batch 64, 4 epochs of the 1k subset, same
# seed) on a cross-origin isolated page (the threaded trainer, 2 threads; web/serve.py --isolate)
# and on an ordinary page (the single-threaded trainer) in headless Chromium, one after the
# other, and prints both pages' state().imagesPerSecond (tests/browser/threads.test.mjs with
# CNNLAB_BENCH=1; nothing about speed is asserted). Written to
# <build-wasm>/browser-artifacts/threads-measurements.json.
#
#   bash bench/browser_threads.sh [BUILD_WASM]      (default build-wasm, built by scripts/test.sh)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$repo_root/build-wasm}" && pwd)"
CNNLAB_BENCH=1 CNNLAB_BROWSER_TESTS=./threads.test.mjs CNNLAB_BUILD_WASM="$build" \
  bash "$repo_root/tests/browser/run.sh" "$build/site"
cat "$build/browser-artifacts/threads-measurements.json"
