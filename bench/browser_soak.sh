#!/usr/bin/env bash
# Browser soak benchmark: a lab page left open for a class period. Runs tests/browser/soak.bench.mjs
# in headless Chromium: CYCLES cycles (default 50) of train one epoch on the 1k subset / reset /
# switch the dataset / a 2-configuration experiment (kernel 3 vs 5) of one epoch each. After every
# cycle it records state().memory: the bytes in use in the app's and the training worker's heaps
# (mallinfo), and the size of each one's wasm memory (which only grows: a high-water mark, raised
# by fragmentation as well as by leaks); also the run log's length and the resident memory of the
# browser's processes. Prints a table (first cycle, every tenth, last) and exits non-zero when
# either heap in use after the last cycle exceeds its figure after the first by more than 10 %:
# the app's less what its per-epoch snapshot stores hold (state().memory.appSnapshotBytes; every
# logged run keeps its epochs until the stores reach their budgets, 64 MB for runs and 32 MB for
# the experiment, so that part rises for many cycles by design; it is judged against the sum of
# the budgets instead). The wasm memory sizes and the browser's RSS are printed, not judged (RSS
# moves with garbage collection and Chromium's caches).
#
#   bash bench/browser_soak.sh [--cycles N] [--model NAME] [BUILD_WASM]
#     --cycles N   cycles to run (>= 2; default 50: about CYCLES x 20-60 s on 2 busy cores)
#     --model NAME the model trained (default cnn)
#     BUILD_WASM   the Emscripten build folder with the built site (default build-wasm); needs the
#                  site's 1k pack (-DCNNLAB_SITE_DATA=SOURCE)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles=50
model=cnn
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles="${2:?--cycles needs a number}"; shift 2 ;;
    --model) model="${2:?--model needs a name}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "browser_soak.sh: unknown option $1" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
if ! [[ "$cycles" =~ ^[0-9]+$ ]] || [ "$cycles" -lt 2 ]; then
  echo "browser_soak.sh: --cycles must be a whole number >= 2, got '$cycles'" >&2
  exit 2
fi
build="$(cd "${build:-$repo_root/build-wasm}" && pwd)"
report="$build/browser-artifacts/soak.json"
rm -f "$report"
status=0
CNNLAB_SOAK_CYCLES="$cycles" CNNLAB_SOAK_MODEL="$model" \
  CNNLAB_BROWSER_TESTS=./soak.bench.mjs CNNLAB_BUILD_WASM="$build" \
  bash "$repo_root/tests/browser/run.sh" "$build/site" || status=$?
if [ ! -f "$report" ]; then
  echo "browser_soak.sh: the soak wrote no $report (no cycle finished)" >&2
  exit 1
fi
python3 - "$report" "$status" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bench_status = int(sys.argv[2])
samples = r["samples"]
snapshot_budget = (64 + 32) * 2**20  # the runs' and the experiment's snapshot stores
for s in samples:
    if s.get("appHeapInUseBytes") is not None and s.get("appSnapshotBytes") is not None:
        s["appHeapBesideSnapshots"] = s["appHeapInUseBytes"] - s["appSnapshotBytes"]
mb = lambda b: "-" if b is None else f"{b / 2**20:,.1f}"
shown = [s for s in samples if s["cycle"] == 1 or s["cycle"] % 10 == 0 or s is samples[-1]]
print(f"Soak: {r['done']} of {r['cycles']} cycles ({r['model']}), {r['seconds'] / 60:.1f} min")
print(f"{'cycle':>5} {'seconds':>8} {'app heap in use':>16} {'of it snapshots':>16} "
      f"{'app memory':>11} {'worker heap in use':>19} {'worker memory':>14} {'browser RSS':>12} "
      f"{'runs':>5}")
for s in shown:
    print(f"{s['cycle']:>5} {s['seconds']:>8.1f} {mb(s.get('appHeapInUseBytes')):>16} "
          f"{mb(s.get('appSnapshotBytes')):>16} {mb(s['appHeapBytes']):>11} "
          f"{mb(s.get('workerHeapInUseBytes')):>19} {mb(s['workerHeapBytes']):>14} "
          f"{mb(s['browserRssBytes']):>12} {s['runs']:>5}")
print("(MB; memory: the wasm memory's size, a high-water mark; runs: the run log's entries)")
first, last = samples[0], samples[-1]
ok = bench_status == 0 and r["done"] == r["cycles"]
most_snapshots = max((s.get("appSnapshotBytes") or 0) for s in samples)
snapshots_ok = most_snapshots <= snapshot_budget
print(f"app snapshots: at most {mb(most_snapshots)} MB in any cycle "
      f"({'within' if snapshots_ok else 'OVER'} their {mb(snapshot_budget)} MB budget)")
ok = ok and snapshots_ok
for key, name, judged in (("appHeapBesideSnapshots", "app heap in use beside its snapshots", True),
                          ("appHeapInUseBytes", "app heap in use with its snapshots", False),
                          ("workerHeapInUseBytes", "worker heap in use", True),
                          ("appHeapBytes", "app wasm memory", False),
                          ("workerHeapBytes", "worker wasm memory", False)):
    if first.get(key) is None or last.get(key) is None:
        print(f"{name}: not reported (a site built before state().memory had it)")
        ok = ok and not judged
        continue
    growth = last[key] / first[key] - 1
    verdict = ("within" if growth <= 0.10 else "EXCEEDS") + " the 10 % limit" if judged else "not judged"
    print(f"{name}: {mb(first[key])} MB after cycle 1, {mb(last[key])} MB after cycle "
          f"{last['cycle']}: {growth * 100:+.1f} % ({verdict})")
    ok = ok and (not judged or growth <= 0.10)
print(f"browser RSS: {mb(first['browserRssBytes'])} MB after cycle 1, "
      f"{mb(last['browserRssBytes'])} MB after cycle {last['cycle']} (not judged)")
if bench_status != 0 or r["done"] != r["cycles"]:
    print("the soak itself failed (see the test output above)")
sys.exit(0 if ok else 1)
PY
