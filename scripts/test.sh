#!/usr/bin/env bash
# Sets up everything and runs the whole test suite: installs the Debian packages,
# configures and builds, runs `meson test` (which brings its own Xvfb, D-Bus session
# and keyring), and ends with one line "N passed, N failed".
#
#   scripts/test.sh                  the whole suite in ./build-tests
#   scripts/test.sh --suite server   one suite (any meson test arguments pass through)
#   EK_SANITIZE=1 scripts/test.sh    the same under AddressSanitizer + UBSan (./build-asan)
#
# The test build has the automation hooks (-Dtest_hooks=true) that the e2e and lockdown
# suites drive; the kiosk that scripts/run-practice.sh builds in ./build never has them.
set -uo pipefail

cd "$(dirname "$0")/.."

if [ "${EK_SKIP_DEPS:-}" != 1 ]; then
  scripts/install-deps.sh || { echo "test.sh: installing the packages failed"; echo "0 passed, 1 failed"; exit 1; }
fi

builddir=build-tests
# The e2e and lockdown suites drive automation hooks only a test-hooks build has.
setup_args=(-Dtest_hooks=true)
if [ "${EK_SANITIZE:-}" = 1 ]; then
  builddir=build-asan
  setup_args+=(-Db_sanitize=address,undefined -Db_lundef=false)
fi

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "${setup_args[@]}" || { echo "0 passed, 1 failed"; exit 1; }
elif ! grep -q "^#define EK_ENABLE_TEST_HOOKS" "$builddir/config.h" 2>/dev/null; then
  meson configure "$builddir" -Dtest_hooks=true || { echo "0 passed, 1 failed"; exit 1; }
fi

if ! meson compile -C "$builddir"; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

meson test -C "$builddir" --print-errorlogs --num-processes "$(nproc)" "$@"
status=$?

python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as log:
        for line in log:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
except OSError:
    failed = 1
suffix = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{suffix}")
PY
exit $status
