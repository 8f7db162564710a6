#!/usr/bin/env bash
# Screenshots of the device check page under Xvfb, while it runs and when it is done, at
# 1366x768 and 1920x1080, in English and Simplified Chinese. Test sources stand in for the
# camera and the microphone; the reference server for the exam server. Builds nothing.
#
# usage: tests/screenshot-self-check.sh BUILDDIR OUTDIR   (BUILDDIR with -Dtest_hooks=true)
# EK_SHOT_LOCALEDIR: the catalogues to use (default BUILDDIR/po).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ "${EK_SCREENSHOT_INNER:-}" = 1 ]; then
  tmp=$(mktemp -d)
  "$EK_SHOT_BUILDDIR/tests/server/ek-ref-server" --data-dir "$tmp/srv" \
    --exams "$here/data/exams" --port-file "$tmp/port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  printf '[server]\nurl=http://127.0.0.1:%s\n[storage]\ndata-dir=%s/data\n[media]\nsource=test\n' \
    "$(cat "$tmp/port")" "$tmp" > "$tmp/kiosk.conf"
  EK_TEST_BUS_NAME="$EK_SHOT_BUS" "$EK_SHOT_BUILDDIR/exam-kiosk" --config "$tmp/kiosk.conf" &
  kiosk=$!
  sleep 2
  gdbus call --session --dest "$EK_SHOT_BUS" --object-path /io/github/examkiosk/Kiosk \
    --method org.gtk.Actions.Activate test-activate "[<'win.start-mode::device-check'>]" "{}" \
    >/dev/null
  sleep 3.5
  xwd -root -silent | convert xwd:- "$EK_SHOT_DIR/self-check-running-$EK_SHOT_SUFFIX.png"
  sleep 9
  xwd -root -silent | convert xwd:- "$EK_SHOT_DIR/self-check-done-$EK_SHOT_SUFFIX.png"
  kill "$kiosk" "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
  exit 0
fi

builddir=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
for size in ${EK_SHOT_SIZES:-1366x768 1920x1080}; do
  for lang in ${EK_SHOT_LANGS:-en zh_CN}; do
    env EK_SCREENSHOT_INNER=1 EK_SHOT_DIR="$outdir" EK_SHOT_SUFFIX="$size-$lang" \
      EK_SHOT_BUILDDIR="$builddir" EK_TEST_SCREEN="${size}x24" \
      EK_LOCALEDIR="${EK_SHOT_LOCALEDIR:-$builddir/po}" LC_ALL=C.UTF-8 LANGUAGE="$lang" \
      EK_SHOT_BUS="io.github.examkiosk.SelfCheckShot$$" \
      "$here/run-headless.sh" "$here/screenshot-self-check.sh" \
      2> >(grep -v 'Failed to set fd limit' >&2)
  done
done
