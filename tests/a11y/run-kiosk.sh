#!/usr/bin/env bash
# Runs a script of the `a11y` suite against a real kiosk with its accessibility on: a
# private accessibility bus (at-spi-bus-launcher from at-spi2-core, which owns org.a11y.Bus
# on the test's private session bus), the reference server with tests/data/exams, and a
# test-hooks build of exam-kiosk. Inside tests/run-headless.sh (meson's wrapper), which
# gives the Xvfb display and the session bus and turns GTK's accessibility off: on here.
#
# usage: run-kiosk.sh BUILDDIR SCRIPT.py [ARGS...]
# The script gets EK_A11Y_BUS (the kiosk's test-hooks bus name), EK_A11Y_URL (the server)
# and EK_A11Y_APP_LOG (the kiosk's log).
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "${1:?build folder}" && pwd)
script=${2:?script}
shift 2

python=$("$here/find-python.sh") || { echo "a11y: no python3 with pyatspi (python3-pyatspi)"; exit 1; }
[ -x /usr/libexec/at-spi-bus-launcher ] || { echo "a11y: at-spi2-core is not installed"; exit 1; }
grep -q "^#define EK_ENABLE_TEST_HOOKS" "$builddir/config.h" || { echo "a11y: needs -Dtest_hooks=true"; exit 1; }

tmp=$(mktemp -d)
chmod 0700 "$tmp"
pids=()
cleanup () {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

/usr/libexec/at-spi-bus-launcher --launch-immediately >"$tmp/a11y-bus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
    --method org.a11y.Bus.GetAddress >/dev/null 2>&1 && break
  sleep 0.05
done

"$builddir/tests/server/ek-ref-server" --data-dir "$tmp/server" --exams "$here/../data/exams" \
  --port-file "$tmp/port" --admin-token a11y >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { echo "a11y: the reference server did not start"; cat "$tmp/server.log"; exit 1; }
url="http://127.0.0.1:$(cat "$tmp/port")"

mkdir -m 0700 "$tmp/kiosk" "$tmp/probe" "$tmp/probe/dmi" "$tmp/probe/sys" "$tmp/probe/bin"
printf '[server]\nurl=%s\n[storage]\ndata-dir=%s\n[media]\nsource=test\n' "$url" "$tmp/kiosk" >"$tmp/kiosk.conf"
# As tests/screenshot.sh: the lockdown's probes read a clean machine, and key presses
# from XTest (ours) are let through.
printf 'Example Computers Inc.\n' >"$tmp/probe/dmi/sys_vendor"
printf 'processor\t: 0\nflags\t\t: fpu vme sse2\n' >"$tmp/probe/cpuinfo"
printf '{"test": {"xtest_filter": false, "dmi_dir": "%s", "cpuinfo": "%s", "sys_root": "%s", "preload_path": "%s", "search_path": ["%s"]}}' \
  "$tmp/probe/dmi" "$tmp/probe/cpuinfo" "$tmp/probe/sys" "$tmp/probe/none" "$tmp/probe/bin" \
  >"$tmp/lockdown-test.json"

bus="io.github.examkiosk.A11y$$"
env -u GTK_A11Y -u NO_AT_BRIDGE -u SSH_CONNECTION -u SSH_CLIENT -u SSH_TTY G_DEBUG=gc-friendly \
  EK_TEST_LOCKDOWN_CONFIG="$tmp/lockdown-test.json" EK_TEST_BUS_NAME="$bus" \
  "$builddir/exam-kiosk" --config "$tmp/kiosk.conf" >"$tmp/app.log" 2>&1 &
pids+=($!)

# G_DEBUG=fatal-warnings is for the code under test, not for libatspi in the script.
env -u G_DEBUG EK_A11Y_BUS="$bus" EK_A11Y_URL="$url" EK_A11Y_APP_LOG="$tmp/app.log" \
  PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$python" "$here/$script" "$@"
rc=$?
if [ "$rc" != 0 ]; then
  echo "--- the kiosk's log (last 40 lines)"
  tail -n 40 "$tmp/app.log"
fi
exit $rc
