#!/usr/bin/env bash
# Sets up everything and runs the whole test suite: installs the Debian packages,
# configures and builds, runs `meson test` (which brings its own Xvfb, D-Bus session
# and keyring), and ends with one line "N passed, N failed". With EK_ASAN_PASS=1 it then
# runs the compiled tests of the `unit`, `server` and `upload` suites once more in an AddressSanitizer + UBSan
# build (./build-asan) and counts both runs.
#
#   scripts/test.sh                  the whole suite in ./build-tests (what CI runs)
#   scripts/test.sh --suite server   one suite (any meson test arguments pass through)
#   EK_ASAN_PASS=1 scripts/test.sh   the whole suite, then the sanitizer pass
#   EK_SANITIZE=1 scripts/test.sh    the whole suite under AddressSanitizer + UBSan (./build-asan)
#
# The pass runs the compiled tests of those suites (not their shell checks, which a
# sanitizer changes nothing for). It shares the time: ./build-asan builds only what they
# need (scripts/asan-pass-targets.py), at idle priority (SCHED_IDLE) while the whole suite
# runs and mostly waits on timers; only its tests run after. Not in CI's run yet: measured
# on a loaded 2-core machine (docs/RELIABILITY.md) it would likely take the run 1-4
# minutes past the 40 it is kept under.
#
# The test build has the automation hooks (-Dtest_hooks=true) that the e2e and lockdown
# suites drive; the kiosk that scripts/run-practice.sh builds in ./build never has them.
set -uo pipefail

cd "$(dirname "$0")/.."

# The suites whose compiled tests also run under the sanitizers after the whole suite:
# the engine without a display, against the reference server, and the uploads.
asan_suites=(unit server upload)
asan_args=(-Db_sanitize=address,undefined -Db_lundef=false)

if [ "${EK_SKIP_DEPS:-}" != 1 ]; then
  scripts/install-deps.sh || { echo "test.sh: installing the packages failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# configure DIR [SETUP ARGS...]: configures a test build (once).
configure () {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dtest_hooks=true "$@" || return 1
  elif ! grep -q "^#define EK_ENABLE_TEST_HOOKS" "$dir/config.h" 2>/dev/null; then
    meson configure "$dir" -Dtest_hooks=true || return 1
  fi
}

# build DIR [SETUP ARGS...]: configures (once) and builds a test build.
build () {
  configure "$@" && meson compile -C "$1"
}

builddir=build-tests
setup_args=()
if [ "${EK_SANITIZE:-}" = 1 ]; then
  builddir=build-asan
  setup_args=("${asan_args[@]}")
fi

if ! build "$builddir" "${setup_args[@]}"; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

build_failures=0
asan_pass=0
if [ $# -eq 0 ] && [ "${EK_SANITIZE:-}" != 1 ] && [ "${EK_ASAN_PASS:-0}" = 1 ]; then
  asan_pass=1
fi

# The sanitizer build, at idle priority while the whole suite runs: only the compiled
# tests of the sanitizer suites, what they depend on (the reference server) and the
# data files (translations, schemas, resources).
if [ "$asan_pass" = 1 ]; then
  asan_start=$(date +%s)
  rm -f build-asan/asan-pass.rc
  if configure build-asan "${asan_args[@]}" >"$builddir/asan-pass-build.log" 2>&1 &&
     scripts/asan-pass-targets.py build-asan "${asan_suites[@]}" >/dev/null; then
    (
      chrt --idle 0 nice -n 19 ninja -C build-asan $(cat build-asan/asan-pass.targets) >>"$builddir/asan-pass-build.log" 2>&1
      echo $? >build-asan/asan-pass.rc
    ) &
    asan_build_pid=$!
  else
    asan_build_pid=
  fi
fi

suite_start=$(date +%s)
meson test -C "$builddir" --print-errorlogs --num-processes "$(nproc)" "$@"
status=$?
logs=("$builddir/meson-logs/testlog.json")
suite_end=$(date +%s)
echo "test.sh: the suite $((suite_end - suite_start)) s"

if [ "$asan_pass" = 1 ]; then
  echo "test.sh: the compiled tests of the ${asan_suites[*]} suites under AddressSanitizer + UBSan (build-asan)"
  [ -n "$asan_build_pid" ] && wait "$asan_build_pid"
  asan_built=$(date +%s)
  if [ "$(cat build-asan/asan-pass.rc 2>/dev/null)" = 0 ]; then
    # shellcheck disable=SC2046
    meson test -C build-asan --no-rebuild --print-errorlogs --num-processes "$(nproc)" \
      $(cat build-asan/asan-pass.tests) || status=1
    logs+=("build-asan/meson-logs/testlog.json")
    echo "test.sh: sanitizer build done $((asan_built - asan_start)) s after it started" \
         "($((asan_built - suite_end)) s after the suite), its tests $(( $(date +%s) - asan_built )) s"
  else
    echo "test.sh: the sanitizer build failed ($builddir/asan-pass-build.log)"
    tail -n 30 "$builddir/asan-pass-build.log"
    build_failures=1
    status=1
  fi
fi

python3 - "$build_failures" "${logs[@]}" <<'PY'
import json, sys
passed = skipped = 0
failed = int(sys.argv[1])
for path in sys.argv[2:]:
    try:
        with open(path) as log:
            for line in log:
                result = json.loads(line).get("result")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
    except OSError:
        failed += 1
suffix = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{suffix}")
PY
exit $status
