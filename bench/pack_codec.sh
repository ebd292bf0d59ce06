#!/usr/bin/env bash
# The JPEG pack codec on real CIFAR-10: for the site's 1k subset (100 training and 200 test images
# per class) and the full data set (50,000 + 10,000), writes the raw and the JPEG pack with the
# native tool and reads the JPEG pack back with `cnnlab pack --verify` natively and, when the
# WebAssembly build is there, with its cnnlab.js under node (the engine the page runs). Prints the
# sizes, the read-back (decode) time and the PSNR of the decoded pixels against the source.
#
#   bash bench/pack_codec.sh [BUILD] [BUILD_WASM] [QUALITY]
#     BUILD       native build folder with cnnlab (default build)
#     BUILD_WASM  Emscripten build folder with cnnlab.js (default build-wasm; skipped if missing)
#     QUALITY     JPEG quality (default: cnnlab pack's)
#   Data: CNNLAB_CIFAR10, else scripts/find-data.sh --cifar10. Packs go to BUILD/pack-codec/.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$repo_root/build}"
build_wasm="${2:-$repo_root/build-wasm}"
quality=()
[ -z "${3:-}" ] || quality=(--quality "$3")
tool="$build/cnnlab"
[ -x "$tool" ] || { echo "pack_codec.sh: $tool not found: build the native tool first" >&2; exit 2; }
data="${CNNLAB_CIFAR10:-$(bash "$repo_root/scripts/find-data.sh" --cifar10)}"
out="$build/pack-codec"
mkdir -p "$out"
export NODE_PATH=/usr/share/nodejs

for subset in "1k 100 200" "full 0 0"; do
  read -r name train test <<<"$subset"
  echo "== $name subset of $data (train/test per class: $train/$test, 0 = all)"
  "$tool" pack --quiet --data "$data" --out "$out/$name-raw.pack" --raw \
    --train-per-class "$train" --test-per-class "$test"
  echo "raw pack: $(stat -c %s "$out/$name-raw.pack") bytes"
  echo "-- native:"
  "$tool" pack --quiet --data "$out/$name-raw.pack" --out "$out/$name-jpeg.pack" "${quality[@]}" --verify
  if [ -f "$build_wasm/cnnlab.js" ]; then
    echo "-- WebAssembly (node $(node --version), $build_wasm/cnnlab.js):"
    node --no-experimental-fetch "$build_wasm/cnnlab.js" pack --quiet --data "$out/$name-raw.pack" \
      --out "$out/$name-jpeg-wasm.pack" "${quality[@]}" --verify
    if cmp -s "$out/$name-jpeg.pack" "$out/$name-jpeg-wasm.pack"; then
      echo "(the WebAssembly tool wrote the same bytes as the native one)"
    else
      echo "(the WebAssembly tool wrote different bytes than the native one)"
    fi
  fi
done
