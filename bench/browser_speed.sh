#!/usr/bin/env bash
# Browser speed benchmark: runs the browser training test against a built site with its speed
# targets asserted (CNNLAB_BENCH=1): >= 20 frames/s while a cnn trains in the page's worker, and
# the page's training images/s >= 80 % of `node cnnlab.js bench` for the same model and batch.
# The figures are written to <build-wasm>/browser-artifacts/training-measurements.json.
#
#   bash bench/browser_speed.sh [BUILD_WASM]        (default build-wasm, built by scripts/test.sh)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$repo_root/build-wasm}" && pwd)"
CNNLAB_BENCH=1 CNNLAB_BROWSER_TESTS=./training.test.mjs CNNLAB_BUILD_WASM="$build" \
  bash "$repo_root/tests/browser/run.sh" "$build/site"
cat "$build/browser-artifacts/training-measurements.json"
