#!/usr/bin/env bash
# Browser memory benchmark: how much a dataset pack adds to the browser's memory. Opens the built
# site in headless Chromium (the 1k subset loads first), waits for quiet, sums the resident memory
# of its Chromium (the browser process and its descendants, not other runs' browsers), then loads PACK through the lab's API (lab.loadPack), waits for quiet
# again and sums once more. Prints both sums, the difference and the difference / pack size, and
# exits non-zero unless that ratio is <= 2.5. Nothing is asserted in the test suites: it is a
# benchmark (the figure depends on Chromium's allocator and on timing).
#
#   bash bench/browser_memory.sh [BUILD_WASM] [PACK]
#     BUILD_WASM  the Emscripten build folder with the built site (default build-wasm)
#     PACK        a pack file (default: BUILD_WASM/memory/cifar10-full.pack, made with the native
#                 tool from full CIFAR-10 — CNNLAB_CIFAR10 or find-data.sh — if missing; needs
#                 build/cnnlab)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$repo_root/build-wasm}" && pwd)"
pack="${2:-$build/memory/cifar10-full.pack}"
if [ ! -f "$pack" ]; then
  [ -z "${2:-}" ] || { echo "browser_memory.sh: $pack does not exist" >&2; exit 2; }
  tool="$repo_root/build/cnnlab"
  [ -x "$tool" ] || { echo "browser_memory.sh: $tool not found: build the native tool first" >&2; exit 2; }
  data="$(bash "$repo_root/scripts/find-data.sh" --cifar10)"
  mkdir -p "$(dirname "$pack")"
  echo "browser_memory.sh: packing all of CIFAR-10 from $data into $pack" >&2
  # --raw: the figure is memory per byte of (decoded) dataset; a JPEG pack is a seventh of that.
  "$tool" pack --data "$data" --out "$pack" --raw
fi
pack="$(cd "$(dirname "$pack")" && pwd)/$(basename "$pack")"
# The site serves it for the page to download; removed again on exit.
link="$build/site/data/memory-bench.pack"
ln -sf "$pack" "$link"
trap 'rm -f "$link"' EXIT
CNNLAB_MEMORY_PACK="data/memory-bench.pack" CNNLAB_MEMORY_PACK_BYTES="$(stat -c %s "$pack")" \
  CNNLAB_BROWSER_TESTS=./memory.bench.mjs CNNLAB_BUILD_WASM="$build" \
  bash "$repo_root/tests/browser/run.sh" "$build/site"
python3 - "$build/browser-artifacts/memory.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
mb = lambda b: f"{b / 2**20:,.0f} MB"
print(f"pack {mb(m['packBytes'])}; browser processes before {mb(m['rssBefore'])}, after "
      f"{mb(m['rssAfter'])}: +{mb(m['rssAfter'] - m['rssBefore'])} = "
      f"{m['ratio']:.2f} x the pack (target <= 2.5); after a forced garbage collection "
      f"{mb(m['rssAfterGc'])}: {m['ratioAfterGc']:.2f} x")
sys.exit(0 if m["ratio"] <= 2.5 else 1)
PY
