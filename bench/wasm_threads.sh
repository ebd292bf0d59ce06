#!/usr/bin/env bash
# Threaded against single-threaded WebAssembly: training and inference images/s of `cnn` k=3
# under node, the default build (one thread) and the CNNLAB_WASM_THREADS build (2 threads) run
# alternately ROUNDS times, so that load from anything else on the machine hits both alike; then
# the median of each and their ratio (target: threaded training >= 1.6x on 2 cores).
#
# Usage: bash bench/wasm_threads.sh [SINGLE_BUILD] [THREADED_BUILD] [ROUNDS] [SECONDS] [MODEL]
#   defaults: build-wasm build-wasm-threads 5 3 cnn3
#   The threaded build: cmake --preset wasm-threads       (build-wasm-threads/)
#                       cmake --build build-wasm-threads -j2 --target cnnlab
set -euo pipefail
cd "$(dirname "$0")/.."
single="${1:-build-wasm}"
threaded="${2:-build-wasm-threads}"
rounds="${3:-5}"
seconds="${4:-3}"
model="${5:-cnn3}"
for build in "$single" "$threaded"; do
  [[ -f "$build/cnnlab.js" ]] || { echo "no $build/cnnlab.js: build the cnnlab target there" >&2; exit 1; }
done

# One bench row as "train infer" (images/s).
row() {  # build threads
  node "$1/cnnlab.js" bench --json --models "$model" --threads "$2" --seconds "$seconds" |
    node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"))[0];
             if (r.threads !== Number(process.argv[1])) {
               console.error(`asked for ${process.argv[1]} threads, the build ran ${r.threads}`);
               process.exit(1);
             }
             console.log(r.train_images_per_s.toFixed(0), r.infer_images_per_s.toFixed(0));' "$2"
}

printf '%-6s %14s %14s %14s %14s %8s\n' round "1-thr train" "2-thr train" "1-thr infer" \
       "2-thr infer" "train x"
single_train=() threaded_train=() single_infer=() threaded_infer=()
for ((i = 1; i <= rounds; ++i)); do
  read -r st si < <(row "$single" 1)
  read -r tt ti < <(row "$threaded" 2)
  single_train+=("$st") threaded_train+=("$tt") single_infer+=("$si") threaded_infer+=("$ti")
  printf '%-6s %14s %14s %14s %14s %8s\n' "$i" "$st" "$tt" "$si" "$ti" \
         "$(awk -v a="$tt" -v b="$st" 'BEGIN { printf "%.2f", a / b }')"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms=$(median "${single_train[@]}") mt=$(median "${threaded_train[@]}")
mi=$(median "${single_infer[@]}") mti=$(median "${threaded_infer[@]}")
printf '%-6s %14s %14s %14s %14s %8s\n' median "$ms" "$mt" "$mi" "$mti" \
       "$(awk -v a="$mt" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')"
awk -v a="$mt" -v b="$ms" -v ai="$mti" -v bi="$mi" 'BEGIN {
  printf "%s: threaded training %.2fx, inference %.2fx the single-threaded build (medians of %d rounds)\n",
         ARGV[1], a / b, ai / bi, ARGV[2] }' "$model" "$rounds"
