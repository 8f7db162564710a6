#!/usr/bin/env bash
# Suite `layout`: every page of the candidate's flow (tests/screenshot.sh's walk, with
# Help open on the exam page) in English and Simplified Chinese at 1366x768, checked by
# the kiosk's own layout check (ui/ek-layout-check.c): nothing cut off, ellipsized or
# drawn over something else. Fails with the list of problems.
#
# EK_LAYOUT_STYLES: the display settings to walk in (tests/screenshot.sh's EK_SHOT_STYLES):
# "default", or "large-hc" for text at 200 % in the high contrast theme (test `layout-large`).
#
# usage: tests/test-layout.sh BUILDDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=${1:?build folder}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# GTK 4.8 warns "GtkText - did not receive a focus-out event" when a page with a text
# field goes (as the e2e suite knows): not fatal here; criticals and GObject warnings in
# the kiosk's log are (below).
G_DEBUG=gc-friendly EK_LAYOUT_CHECK=1 EK_LAYOUT_ONLY=1 EK_SHOT_SIZES=${EK_LAYOUT_SIZES:-1366x768} \
  EK_SHOT_STYLES="${EK_LAYOUT_STYLES:-default}" \
  "$here/screenshot.sh" "$builddir" "$out" || { echo "layout: the walk failed"; exit 1; }

status=0
if grep -hE 'CRITICAL|GLib-GObject-WARNING' "$out"/app-*.log; then
  echo "layout: the kiosk logged criticals or GObject warnings (above)"
  status=1
fi
# With the text scaled up a page that scrolls sideways is listed, not failed: nothing on
# it is out of reach, but each line must be scrolled to be read (ui/ek-layout-check.c).
if [ -s "$out/layout-problems.txt" ] && grep -q "(text scaled up)" "$out/layout-problems.txt"; then
  echo "layout: pages that scroll sideways with the text scaled up:"
  grep -F "(text scaled up)" "$out/layout-problems.txt"
  grep -vF "(text scaled up)" "$out/layout-problems.txt" >"$out/layout-problems.rest" || true
  mv "$out/layout-problems.rest" "$out/layout-problems.txt"
fi
if [ -s "$out/layout-problems.txt" ]; then
  echo "layout: $(wc -l <"$out/layout-problems.txt") problem(s):"
  cat "$out/layout-problems.txt"
  exit 1
fi
[ "$status" = 0 ] && echo "layout: no problems"
exit $status
