#!/usr/bin/env bash
# Suite `a11y`: every page of the candidate's flow (tests/screenshot.sh's walk) read
# through AT-SPI on a private accessibility bus, as a screen reader reads it
# (tests/a11y/check-tree.py): fails on any control on show without an accessible name,
# or focusable without a control's role.
#
# usage: tests/a11y/test-tree.sh BUILDDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=${1:?build folder}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

EK_A11Y_PYTHON=$("$here/find-python.sh") || { echo "a11y: no python3 with pyatspi"; exit 1; }
export EK_A11Y_PYTHON

G_DEBUG=gc-friendly EK_A11Y_CHECK=1 EK_LAYOUT_ONLY=1 EK_SHOT_SIZES=1366x768 \
  EK_SHOT_LANGS="${EK_A11Y_LANGS:-en}" \
  "$here/../screenshot.sh" "$builddir" "$out" || { echo "a11y: the walk failed"; exit 1; }

pages=$(grep -c '' "$out/a11y-problems.txt" 2>/dev/null || echo 0)
checked=$(ls "$out"/app-*.log 2>/dev/null | wc -l)
if [ "$checked" = 0 ]; then
  echo "a11y: the walk ran no kiosk"
  exit 1
fi
if [ -s "$out/a11y-problems.txt" ]; then
  echo "a11y: $pages problem(s):"
  cat "$out/a11y-problems.txt"
  exit 1
fi
echo "a11y: every control on every page is named"
