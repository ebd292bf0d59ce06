#!/usr/bin/env bash
# Fuzzes every parser (fuzz/fuzz_*.cpp; libFuzzer, clang, -fsanitize=fuzzer,address,undefined).
#
#   bash scripts/fuzz.sh [SECONDS]    configure (preset fuzz) and build in build-fuzz/, write the
#                                     seed corpora (fuzz_seeds: the repository's own writers),
#                                     fuzz each target SECONDS (default 60), print per target its
#                                     executions, coverage (cov, ft: libFuzzer's last stats line)
#                                     and any crash file.
#   bash scripts/fuzz.sh --replay     no fuzzing: run each target once over its seeds and the
#                                     committed inputs in tests/data/fuzz-regressions/<target>/.
#   bash scripts/fuzz.sh --smoke [S]  the test command's run (scripts/test.sh, suite fuzz): the
#                                     replay, then each target S seconds (default 2) from its
#                                     seeds and regressions only, in a fresh corpus with a fixed
#                                     seed (-seed=1), so it is cheap and repeatable.
#
# Environment: CNNLAB_FUZZ_TARGETS="fuzz_pack fuzz_npz" (default: all), CNNLAB_FUZZ_RUNS=N (a
# target stops after N executions or SECONDS, whichever comes first), CNNLAB_FUZZ_BUILD
# (default build-fuzz), CNNLAB_JOBS (build jobs, default 2), CNNLAB_FUZZ_JOBS (targets fuzzed
# at once, default 1). The working corpus of each target grows in BUILD/fuzz-corpus/<target>/
# between runs; crash files land in BUILD/fuzz-crashes/<target>/. Exit code 1 when any target
# crashed (a finding: fix the parser, then commit the crash file under
# tests/data/fuzz-regressions/<target>/ so the test command replays it).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

mode=fuzz
seconds=60
check_seconds() {  # VALUE [NAME]
  case "$1" in
    ""|*[!0-9]*|0) echo "fuzz.sh: ${2:-SECONDS} must be a whole number >= 1, got '$1'" >&2; exit 2 ;;
  esac
}
case "${1:-}" in
  --replay) mode=replay ;;
  --smoke) mode=smoke; seconds="${2:-2}"; check_seconds "$seconds" ;;
  "") ;;
  *) check_seconds "$1"; seconds="$1" ;;
esac
[ -z "${CNNLAB_FUZZ_RUNS:-}" ] || check_seconds "$CNNLAB_FUZZ_RUNS" CNNLAB_FUZZ_RUNS

build="${CNNLAB_FUZZ_BUILD:-$repo_root/build-fuzz}"
jobs="${CNNLAB_JOBS:-2}"
regressions="$repo_root/tests/data/fuzz-regressions"

# Per target: the largest input (-max_len, from the format's limits and its seeds' sizes) and
# its dictionary (fuzz/dict/). Each fuzz_*.cpp says in its comment which limits apply.
declare -A max_len=(
  [fuzz_pack]=65536 [fuzz_model_file]=262144 [fuzz_lab_model_file]=262144 [fuzz_npz]=65536
  [fuzz_gzip]=65536 [fuzz_tar]=262144 [fuzz_idx]=65536 [fuzz_cifar10]=65536 [fuzz_image]=65536
  [fuzz_model_spec]=4096 [fuzz_session_options]=4096 [fuzz_trainer_command]=4096
  [fuzz_trainer_report]=16384 [fuzz_run_report]=16384 [fuzz_dataset_report]=65536
  [fuzz_trainer_state]=16384 [fuzz_lesson]=65536 [fuzz_embed_settings]=4096)
declare -A dict=(
  [fuzz_pack]=pack [fuzz_model_file]=model_file [fuzz_lab_model_file]=model_file [fuzz_npz]=npz
  [fuzz_gzip]=gzip [fuzz_tar]=tar [fuzz_idx]=idx [fuzz_cifar10]=cifar10 [fuzz_image]=image
  [fuzz_model_spec]=model_spec [fuzz_session_options]=json [fuzz_trainer_command]=json
  [fuzz_trainer_report]=json [fuzz_run_report]=json [fuzz_dataset_report]=json
  [fuzz_trainer_state]=json [fuzz_lesson]=lesson [fuzz_embed_settings]=embed_settings)

targets=()
if [ -n "${CNNLAB_FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<< "$CNNLAB_FUZZ_TARGETS"
else
  for f in fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
for t in "${targets[@]}"; do
  [ -f "fuzz/$t.cpp" ] || { echo "fuzz.sh: no target $t (fuzz/$t.cpp)" >&2; exit 2; }
done

# ---- Build and seeds ---------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
  mkdir -p "$build"
  cmake --preset fuzz -B "$build" > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; exit 1; }
fi
cmake --build "$build" -j "$jobs" --target fuzz_seeds "${targets[@]}"
rm -rf "$build/fuzz-seeds"
"$build/fuzz/fuzz_seeds" "$build/fuzz-seeds"

# Allocation limits: one allocation over 1 GB, or 2 GB in all, is a finding (a header that
# makes a parser reserve more than a file of max_len could fill).
limits=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# ---- Replay ------------------------------------------------------------------------------------
if [ "$mode" = replay ] || [ "$mode" = smoke ]; then
  failed=0
  for t in "${targets[@]}"; do
    inputs=("$build/fuzz-seeds/$t"/*)
    [ -d "$regressions/$t" ] && inputs+=("$regressions/$t"/*)
    if "$build/fuzz/$t" "${limits[@]}" "${inputs[@]}" > "$build/fuzz-replay-$t.log" 2>&1; then
      printf '%-24s replayed %d inputs: ok\n' "$t" "${#inputs[@]}"
    else
      printf '%-24s FAILED (log: %s)\n' "$t" "$build/fuzz-replay-$t.log"
      tail -30 "$build/fuzz-replay-$t.log"
      failed=1
    fi
  done
  [ "$mode" = replay ] || [ "$failed" = 1 ] && exit "$failed"
fi

# ---- Fuzz --------------------------------------------------------------------------------------
fuzz_one() {
  local t="$1"
  local corpus="$build/fuzz-corpus/$t" crashes="$build/fuzz-crashes/$t/" extra=()
  [ -n "${CNNLAB_FUZZ_RUNS:-}" ] && extra+=(-runs="$CNNLAB_FUZZ_RUNS")
  if [ "$mode" = smoke ]; then
    corpus="$build/fuzz-smoke-corpus/$t"
    rm -rf "$corpus"
    extra+=(-seed=1)
  fi
  rm -rf "$crashes"
  mkdir -p "$corpus" "$crashes"
  local dirs=("$corpus" "$build/fuzz-seeds/$t")
  [ -d "$regressions/$t" ] && dirs+=("$regressions/$t")
  local started=$SECONDS
  "$build/fuzz/$t" "${limits[@]}" -max_len="${max_len[$t]}" -dict="fuzz/dict/${dict[$t]}.dict" \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes" "${extra[@]}" \
    "${dirs[@]}" > "$build/fuzz-$t.log" 2>&1 || true
  echo $((SECONDS - started)) > "$build/fuzz-$t.seconds"
}

fuzz_jobs="${CNNLAB_FUZZ_JOBS:-1}"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$fuzz_jobs" ]; do wait -n || true; done
  echo "fuzz.sh: fuzzing $t for $seconds s"
  fuzz_one "$t" &
done
wait

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
echo "fuzz.sh: $seconds s${CNNLAB_FUZZ_RUNS:+ or $CNNLAB_FUZZ_RUNS executions} per target at $commit ($(date -u +%Y-%m-%d))"
printf '| %-22s | %7s | %12s | %6s | %7s | %s |\n' target seconds executions cov ft finding
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------ --------: -------------: -------: ---------: -------
found=0
failed_logs=()
for t in "${targets[@]}"; do
  log="$build/fuzz-$t.log"
  execs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')"
  stats="$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)"
  cov="$(echo "$stats" | awk '{print $2}')"
  ft="$(echo "$stats" | awk '{print $4}')"
  # libFuzzer also writes the slowest input it met (slow-unit-*, over 10 s): kept and named, not
  # a finding (a timeout, a crash, a leak or too much memory is); replay it to time it alone.
  crash="$(ls "$build/fuzz-crashes/$t/" 2>/dev/null | grep -v '^slow-unit-' | head -1 || true)"
  slow="$(ls "$build/fuzz-crashes/$t/" 2>/dev/null | grep '^slow-unit-' | head -1 || true)"
  note=none
  if [ -n "$crash" ]; then
    note="$build/fuzz-crashes/$t/$crash"
    found=1
  elif [ -n "$slow" ]; then
    note="none (slowest input $(grep -o 'Slowest unit: [0-9]* s' "$log" | tail -1 | sed 's/Slowest unit: //' || true): $build/fuzz-crashes/$t/$slow)"
  elif ! grep -q 'Done [0-9]* runs\|stat::number_of_executed_units' "$log"; then
    note="no final stats: see $log"
    found=1
  fi
  took="$(cat "$build/fuzz-$t.seconds" 2>/dev/null || echo '?')"
  printf '| %-22s | %7s | %12s | %6s | %7s | %s |\n' "$t" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$note"
  [ "${note%% *}" = none ] || failed_logs+=("$log")
done
# What libFuzzer said about each finding (the sanitizer's report and the input's file name).
for log in "${failed_logs[@]}"; do
  echo
  echo "fuzz.sh: the end of $log"
  grep -v '^#[0-9]' "$log" | tail -n 40
done
exit "$found"
