#!/usr/bin/env bash
# Browser experiment benchmark: the page's controlled experiment "kernel 3, 5, 7, 3 seeds, 5
# epochs each" on the site's 5k subset, in headless Chromium through window.cnnlab (the page's
# single-threaded training worker, the site served without cross-origin isolation as a plain
# static host would). Prints the experiment's wall time (from experiment() to results().done,
# validation and test included) and each configuration's training images/s (mean over its seeds).
# Asserts nothing about speed: it is a benchmark. The figures: <build-wasm>/browser-artifacts/
# experiment-bench.json (tests/browser/experiment.bench.mjs says what it holds).
#
#   bash bench/browser_experiment.sh [BUILD_WASM] [--epochs N] [--seeds N] [--kernels 3,5,7]
#                                    [--subset NAME] [--batch N]
#     BUILD_WASM  the Emscripten build folder with the built site (default build-wasm); the site
#                 needs the subset's pack: configure it with
#                 -DCNNLAB_SITE_DATA=SOURCE -DCNNLAB_SITE_SUBSETS=5k:500:200 (README, Deploying)
#     defaults: --epochs 5 --seeds 3 --kernels 3,5,7 --subset 5k --batch 64
#     (a quick check of the script itself: --epochs 1 --seeds 1)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo_root/build-wasm"
epochs=5 seeds=3 kernels=3,5,7 subset=5k batch=64
usage() { sed -n '10,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="${2:-}"; shift 2 ;;
    --seeds) seeds="${2:-}"; shift 2 ;;
    --kernels) kernels="${2:-}"; shift 2 ;;
    --subset) subset="${2:-}"; shift 2 ;;
    --batch) batch="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "browser_experiment.sh: unknown option '$1'" >&2; usage ;;
    *) build="$1"; shift ;;
  esac
done
for pair in "epochs:$epochs" "seeds:$seeds" "batch:$batch"; do
  [[ "${pair#*:}" =~ ^[1-9][0-9]*$ ]] ||
    { echo "browser_experiment.sh: --${pair%%:*} must be a positive number, got '${pair#*:}'" >&2; exit 2; }
done
[[ "$kernels" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
  { echo "browser_experiment.sh: --kernels must be a comma-separated list such as 3,5,7, got '$kernels'" >&2; exit 2; }
[ -d "$build/site" ] || { echo "browser_experiment.sh: $build/site not found: build the site first" >&2; exit 2; }
build="$(cd "$build" && pwd)"
artifacts="$build/browser-artifacts"
mkdir -p "$artifacts"
rm -f "$artifacts/experiment-bench.json"
log="$artifacts/browser-experiment.log"
echo "browser_experiment.sh: kernels $kernels x $seeds seeds x $epochs epochs on $subset, batch $batch (log: $log)" >&2
CNNLAB_EXPERIMENT_SUBSET="$subset" CNNLAB_EXPERIMENT_KERNELS="$kernels" \
  CNNLAB_EXPERIMENT_SEEDS="$seeds" CNNLAB_EXPERIMENT_EPOCHS="$epochs" CNNLAB_EXPERIMENT_BATCH="$batch" \
  CNNLAB_BROWSER_TESTS=./experiment.bench.mjs CNNLAB_BUILD_WASM="$build" CNNLAB_BROWSER_JOBS=1 \
  bash "$repo_root/tests/browser/run.sh" "$build/site" > "$log" 2>&1 || {
    echo "browser_experiment.sh: the experiment did not complete (log: $log):" >&2
    tail -n 30 "$log" >&2
    exit 1; }
python3 - "$artifacts/experiment-bench.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"experiment: kernel {','.join(map(str, m['kernels']))} x {m['seeds']} seeds x {m['epochs']} epochs, "
      f"subset {m['subset']} ({m['split']}), batch {m['batch']}, trainer threads {m['trainerThreads']}")
print(f"wall time: {m['wallSeconds']:.1f} s")
print(f"{'configuration':<16} {'train img/s':>11}")
for c in m["configurations"]:
    print(f"{c['configuration']:<16} {c['imagesPerSecond']:>11.0f}")
PY
