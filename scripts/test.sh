#!/usr/bin/env bash
# THE test command of CNN Lab (README's second command; .ci/run calls it). Runs every suite:
#   native    Release build + ctest                                (build/)
#   asan      AddressSanitizer + UBSan build + ctest, no app       (build-asan/)
#   wasm      Emscripten build + ctest under node                  (build-wasm/)
#   fuzz      the fuzz targets (clang, libFuzzer) replayed over their seeds and committed
#             regression inputs, then each fuzzed 2 s (scripts/fuzz.sh --smoke) (build-fuzz/)
#   browser   tests/browser/run.sh, when it exists (headless Chromium against the built site)
# then prints one summary line per suite and a last line "N passed, N failed" (suites); exits
# non-zero when any suite failed. Dependencies are ensured first (scripts/setup.sh --deps-only).
# Each build is configured from its preset in CMakePresets.json (`cmake --preset NAME`, which holds
# the build flags), in the folder CNNLAB_BUILD_PREFIX names, with this machine's IMGUI_DIR.
#
# Usage: bash scripts/test.sh [SUITE...]        (default: all; e.g. `bash scripts/test.sh native`)
# Environment:
#   CNNLAB_BUILD_PREFIX  build folder prefix (default "build": build/, build-asan/, build-wasm/,
#                        build-fuzz/)
#   CNNLAB_CIFAR10       CIFAR-10 source for tests that read real images (default: find-data.sh)
#   CNNLAB_SKIP_SETUP=1  do not run scripts/setup.sh --deps-only first
#   CNNLAB_JOBS          parallel build jobs (default 2)
#   CNNLAB_TEST_SITE_SUBSETS  packs of the wasm build's site (default 1k:100:200; see web/README.md)
#   CNNLAB_FUZZ_SMOKE_SECONDS  seconds each fuzz target runs in the fuzz suite (default 2)
# What the suites see: CNNLAB_DATA (the default dataset), CNNLAB_CIFAR10 (only when CIFAR-10 is
# available), CNNLAB_EXE (that build's cnnlab, set per test by ctest; under node only for test_cli,
# which runs cnnlab.js through node's child_process). The host environment reaches wasm tests' getenv().
# tests/browser/run.sh also gets CNNLAB_BUILD_WASM and CNNLAB_BUILD_NATIVE (absolute build folders)
# and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1; its exit code decides the browser suite.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

prefix="${CNNLAB_BUILD_PREFIX:-build}"
jobs="${CNNLAB_JOBS:-2}"
deps_dir="${CNNLAB_DEPS:-/usr/local/src/cnnlab-deps}"
imgui_dir="$deps_dir/imgui-1.86"
native_dir="$repo_root/$prefix"
asan_dir="$repo_root/$prefix-asan"
wasm_dir="$repo_root/$prefix-wasm"

all_suites=(native asan wasm fuzz browser)
suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=("${all_suites[@]}")
for s in "${suites[@]}"; do
  case " ${all_suites[*]} " in *" $s "*) ;; *)
    echo "test.sh: unknown suite '$s' (one of: ${all_suites[*]})" >&2; exit 2 ;;
  esac
done

stamp() { date +%s; }
banner() { printf '\n==== %s ====\n' "$*"; }

# ---- Dependencies and data ---------------------------------------------------------------------
start_all=$(stamp)
if [ "${CNNLAB_SKIP_SETUP:-0}" != 1 ]; then
  banner "set-up (scripts/setup.sh --deps-only)"
  bash scripts/setup.sh --deps-only
fi
setup_seconds=$(( $(stamp) - start_all ))

CNNLAB_DATA="$(bash scripts/find-data.sh)"
export CNNLAB_DATA
if cifar10="$(bash scripts/find-data.sh --cifar10 --quiet)"; then
  export CNNLAB_CIFAR10="$cifar10"
else
  unset CNNLAB_CIFAR10
  echo "test.sh: no CIFAR-10 available; tests that need real CIFAR-10 images skip themselves"
fi
export NODE_PATH=/usr/share/nodejs  # Emscripten's JS optimizer needs Debian's acorn
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

imgui_flag=()
[ -d "$imgui_dir" ] && imgui_flag=(-DIMGUI_DIR="$imgui_dir")

# ---- Suites ------------------------------------------------------------------------------------
suite_native() {
  cmake --preset native -B "$native_dir" "${imgui_flag[@]}"
  cmake --build "$native_dir" -j "$jobs"
  CNNLAB_EXE="$native_dir/cnnlab" \
    ctest --test-dir "$native_dir" --output-on-failure --no-tests=error -j "$jobs"
}

suite_asan() {
  # -O1 -g1, sanitizers, assertions on, no app: the preset says why.
  cmake --preset asan -B "$asan_dir"
  cmake --build "$asan_dir" -j "$jobs"
  CNNLAB_EXE="$asan_dir/cnnlab" \
    ctest --test-dir "$asan_dir" --output-on-failure --no-tests=error -j "$jobs"
}

suite_wasm() {
  # The site (built with everything) gets a small pack of the default data for the browser suite:
  # the 1k subset only (CNNLAB_TEST_SITE_SUBSETS), so CI does not pack the whole dataset. It also
  # gets the threaded trainer (CNNLAB_SITE_THREADED_TRAINER, default ON: the engine compiled once
  # more with -pthread, ~95 CPU-seconds), which tests/browser/threads.test.mjs runs.
  cmake --preset wasm -B "$wasm_dir" "${imgui_flag[@]}" \
    -DCNNLAB_SITE_DATA="$CNNLAB_DATA" \
    -DCNNLAB_SITE_SUBSETS="${CNNLAB_TEST_SITE_SUBSETS:-1k:100:200}"
  cmake --build "$wasm_dir" -j "$jobs"
  # Under node only test_cli starts processes (ctest gives it this build's cnnlab.js launcher).
  env -u CNNLAB_EXE \
    ctest --test-dir "$wasm_dir" --output-on-failure --no-tests=error -j "$jobs"
}

suite_fuzz() {
  # Its own clang build of the engine with coverage (the asan suite's ctest already replays
  # every seed and regression input through the gcc build; this adds a few seconds of real
  # fuzzing per target with a fixed seed).
  CNNLAB_FUZZ_BUILD="$repo_root/$prefix-fuzz" CNNLAB_JOBS="$jobs" \
    bash scripts/fuzz.sh --smoke "${CNNLAB_FUZZ_SMOKE_SECONDS:-2}"
}

suite_browser() {
  CNNLAB_BUILD_WASM="$wasm_dir" CNNLAB_BUILD_NATIVE="$native_dir" CNNLAB_EXE="$native_dir/cnnlab" \
    bash tests/browser/run.sh
}

# A suite runs in a subshell with `set -e` (its first failing command fails it; later suites still
# run), its output on the script's own stdout (fd 4), so that `time` around it can report its CPU
# seconds. The output is also kept in $prefix-logs/SUITE.log: the summary repeats the end of a
# failed suite's log, because CI shows only the last lines of the whole run.
logs_dir="$repo_root/$prefix-logs"
run_suite() {
  mkdir -p "$logs_dir"
  (set -euo pipefail; "suite_$1") 2>&1 | tee "$logs_dir/$1.log" >&4
  return "${PIPESTATUS[0]}"
}

declare -A result seconds cpu
exec 3>&2 4>&1
TIMEFORMAT='%0U s user + %0S s sys CPU'
passed=0
failed=0
for s in "${suites[@]}"; do
  if [ "$s" = browser ] && [ ! -f tests/browser/run.sh ]; then
    result[$s]="SKIP (no tests/browser/run.sh yet)"
    seconds[$s]=0
    cpu[$s]="-"
    continue
  fi
  banner "suite $s"
  t0=$(stamp)
  # Not inside `if`: bash ignores set -e in a tested command, even in a subshell.
  set +e
  cpu[$s]=$( { time run_suite "$s"; } 2>&1 )
  status=$?
  set -e
  if [ "$status" = 0 ]; then
    result[$s]=PASS
    passed=$((passed + 1))
  else
    result[$s]=FAIL
    failed=$((failed + 1))
  fi
  seconds[$s]=$(( $(stamp) - t0 ))
  echo "test.sh: suite $s: ${result[$s]} in ${seconds[$s]} s wall (${cpu[$s]})"
done

# ---- Summary -----------------------------------------------------------------------------------
# The end of each failed suite's log first, so that the table below is the run's last lines.
for s in "${suites[@]}"; do
  if [ "${result[$s]}" = FAIL ]; then
    banner "end of the failed suite $s ($logs_dir/$s.log)"
    tail -n 60 "$logs_dir/$s.log"
  fi
done
banner "summary"
echo "set-up: ${setup_seconds} s; default data: $CNNLAB_DATA"
for s in "${suites[@]}"; do
  printf '%-8s %s (%s s wall; %s)\n' "$s" "${result[$s]}" "${seconds[$s]}" "${cpu[$s]}"
done
echo "total: $(( $(stamp) - start_all )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
