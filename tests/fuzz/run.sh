#!/bin/bash
# tests/fuzz/run.sh NAME SECONDS: runs the libFuzzer target NAME (api-parsers, exam,
# policy, config, tus-headers, practice, records, markdown, answer-list, sealed-package,
# or "all") for SECONDS each
# (tests/fuzz/README.md says what each feeds).
#
# The targets are built with clang in their own folder (EK_FUZZ_BUILDDIR, default
# build-fuzz/ in the source tree), made on first use. A run starts from the seeds in
# tests/fuzz/corpus/NAME/ and the kept crash cases in tests/fuzz/cases/NAME/; what it
# finds new goes to BUILDDIR/fuzz-corpus/NAME/, a crash to BUILDDIR/fuzz-crashes/.
# Once a crash is fixed, copy its input to tests/fuzz/cases/NAME/ so it runs every time.
# An input that takes longer than EK_FUZZ_TIMEOUT seconds (default 10) counts as a hang;
# on a loaded shared machine a niced run can stall that long on a harmless input.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 NAME SECONDS" >&2
  exit 2
fi

name=$1
seconds=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${EK_FUZZ_BUILDDIR:-$src/build-fuzz}
targets=(api-parsers exam policy config tus-headers practice records markdown answer-list sealed-package)

if [ "$name" = all ]; then
  for t in "${targets[@]}"; do
    "$0" "$t" "$seconds"
  done
  exit 0
fi

if ! command -v clang >/dev/null; then
  echo "run.sh: clang is not installed (scripts/install-deps.sh installs clang-14)" >&2
  exit 77
fi

# One configure at a time: meson test may start several of these.
mkdir -p "$build"
exec 9>"$build/.configure-lock"
flock 9
if [ ! -f "$build/build.ninja" ]; then
  CC=clang nice meson setup "$build" "$src" \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dwerror=false >/dev/null
fi
nice meson compile -C "$build" "fuzz-$name" >/dev/null
flock -u 9

mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-crashes"
corpora=("$build/fuzz-corpus/$name" "$src/tests/fuzz/corpus/$name")
if [ -d "$src/tests/fuzz/cases/$name" ]; then
  corpora+=("$src/tests/fuzz/cases/$name")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec nice "$build/tests/fuzz/fuzz-$name" \
  -max_total_time="$seconds" -timeout="${EK_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=262144 \
  -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-crashes/$name-" \
  "${corpora[@]}"
