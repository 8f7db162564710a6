#!/usr/bin/env bash
# Screenshots of the built application under Xvfb: the start page and the "not available"
# page, at 1366x768 and 1920x1080, in English and Simplified Chinese. Builds nothing.
#
# usage: tests/screenshot.sh BUILDDIR OUTDIR
# needs: Xvfb, xwd (x11-apps), convert (imagemagick), xwininfo (x11-utils), dbus-run-session
set -eu

# One shot, run by the loop below inside run-headless.sh (Xvfb, private D-Bus and HOME);
# args: OUT [APP ARGS]. Starts the app, waits for its window, lets it draw, captures the root
# window and stops the app.
if [ "${EK_SCREENSHOT_INNER:-}" = 1 ]; then
  out=$1; shift
  "$EK_SCREENSHOT_BINARY" "$@" &
  app=$!
  for _ in $(seq 1 100); do
    xwininfo -root -tree 2>/dev/null | grep -q '"ExamKiosk"' && break
    sleep 0.1
  done
  sleep 1.5
  xwd -root -silent | convert xwd:- "$out"
  kill "$app"
  wait "$app" 2>/dev/null || true
  exit 0
fi

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILDDIR OUTDIR" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
binary="$builddir/exam-kiosk"

for tool in xwd convert xwininfo; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool not found" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "screenshot: $binary not built" >&2; exit 1; }

for size in 1366x768 1920x1080; do
  for lang in en zh_CN; do
    for page in start unavailable; do
      args=()
      [ "$page" = unavailable ] && args=(--practice)
      out="$outdir/$page-$size-$lang.png"
      EK_SCREENSHOT_INNER=1 EK_SCREENSHOT_BINARY="$binary" EK_TEST_SCREEN="${size}x24" \
        EK_LOCALEDIR="$builddir/po" LC_ALL=C.UTF-8 LANGUAGE="$lang" \
        "$here/run-headless.sh" "$here/screenshot.sh" "$out" "${args[@]}" \
        2> >(grep -v 'Failed to set fd limit' >&2)
      echo "$out"
    done
  done
done
