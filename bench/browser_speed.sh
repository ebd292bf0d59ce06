#!/usr/bin/env bash
# Browser speed benchmark: runs the browser training test against a built site ROUNDS times in
# its benchmark mode (CNNLAB_BENCH=1: a 10 s settle, then a cnn k=3 at batch 16 trains 4 epochs
# of the 1k subset in the page's worker), each round measuring `node cnnlab.js bench` for the
# same model and batch first. Prints every round and the medians, and exits non-zero unless the
# medians meet the targets: >= 20 frames/s drawn while training, and the page's training images/s
# >= 80 % of node's. "fps training" counts the app's frames (the screen is up to date at that rate);
# "painted/s" the frames of those actually painted: a frame identical to the one on screen is not
# painted again (web/platform/repaint_check.h), which leaves that CPU to the worker. Medians,
# because one run of either figure varies by about 10 % on this machine's shared virtual cores. Each round's figures: <build-wasm>/browser-artifacts/
# training-measurements-<round>.json.
#
# CNNLAB_BENCH_VIEWPORT=WIDTHxHEIGHT sets the window (default 1280x800): the page's WebGL is drawn
# on the CPU here, so a smaller window leaves the worker more of it.
#
#   bash bench/browser_speed.sh [BUILD_WASM] [ROUNDS]     defaults: build-wasm 3
#                                                         (build-wasm is built by scripts/test.sh)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$repo_root/build-wasm}" && pwd)"
rounds="${2:-3}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "browser_speed.sh: ROUNDS must be a positive number, got '$rounds'" >&2; exit 2; }
artifacts="$build/browser-artifacts"
for ((i = 1; i <= rounds; ++i)); do
  echo "browser_speed.sh: round $i of $rounds" >&2
  rm -f "$artifacts/training-measurements.json"
  CNNLAB_BENCH=1 CNNLAB_BROWSER_TESTS=./training.test.mjs CNNLAB_BUILD_WASM="$build" \
    bash "$repo_root/tests/browser/run.sh" "$build/site" > "$artifacts/browser-speed-$i.log" 2>&1 || {
      echo "browser_speed.sh: the training test failed in round $i (log: $artifacts/browser-speed-$i.log)" >&2
      exit 1; }
  cp "$artifacts/training-measurements.json" "$artifacts/training-measurements-$i.json"
done
python3 - "$artifacts" "$rounds" <<'PY'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{folder}/training-measurements-{i}.json")) for i in range(1, rounds + 1)]
if any(r["ratio"] is None for r in runs):
    sys.exit("browser_speed.sh: the node figure is unknown (no cnnlab.js in the build folder)")
cols = [("fpsBeforeTraining", "fps idle", "{:.1f}"), ("fpsMean", "fps training", "{:.1f}"),
        ("fpsWorstSecond", "worst second", "{:.1f}"), ("paintedPerSecond", "painted/s", "{:.1f}"),
        ("pageImagesPerSecond", "page img/s", "{:.0f}"),
        ("nodeBenchImagesPerSecond", "node img/s", "{:.0f}"), ("ratio", "ratio", "{:.2f}")]
print("round  " + "  ".join(f"{title:>13}" for _, title, _ in cols))
for i, r in enumerate(runs, 1):
    print(f"{i:<5}  " + "  ".join(f"{fmt.format(r[key]):>13}" for key, _, fmt in cols))
median = {key: statistics.median(r[key] for r in runs) for key, _, _ in cols}
print("median " + "  ".join(f"{fmt.format(median[key]):>13}" for key, _, fmt in cols))
ok = median["fpsMean"] >= 20 and median["ratio"] >= 0.8
print(f"targets (>= 20 frames/s while training, ratio >= 0.80): {'met' if ok else 'NOT met'}")
sys.exit(0 if ok else 1)
PY
