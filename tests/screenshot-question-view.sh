#!/usr/bin/env bash
# Screenshots of EkQuestionView (tests/question-view-demo) under Xvfb, at 1366x768 and
# 1920x1080, in English and Simplified Chinese: a choice question, a text question, the
# read-only state, the Submit confirmation and an interview's oral questions.
# Builds nothing.
#
# usage: tests/screenshot-question-view.sh BUILDDIR OUTDIR
#
# The Chinese catalogue is BUILDDIR/po's, with po/incoming/written.po laid over it while
# that fragment is not merged into zh_CN.po yet.
set -eu

# One shot, run inside run-headless.sh (Xvfb, private D-Bus and HOME); args: OUT [DEMO ARGS].
# Starts the demo, waits for its window, lets it draw, captures the screen, stops the demo.
if [ "${EK_QV_SHOT_INNER:-}" = 1 ]; then
  out=$1; shift
  "$EK_QV_SHOT_BINARY" "$@" >/dev/null &
  demo=$!
  for _ in $(seq 1 100); do
    xwininfo -root -tree 2>/dev/null | grep -q '"ExamKiosk"' && break
    sleep 0.1
  done
  sleep 1.5
  xwd -root -silent | convert xwd:- "$out"
  kill "$demo"
  wait "$demo" 2>/dev/null || true
  exit 0
fi

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILDDIR OUTDIR" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
builddir=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
binary="$builddir/tests/question-view-demo"
for tool in xwd convert xwininfo msgfmt msgcat; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool not found" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "screenshot: $binary not built" >&2; exit 1; }

localedir=$(mktemp -d)
trap 'rm -rf "$localedir"' EXIT
mkdir -p "$localedir/zh_CN/LC_MESSAGES"
if [ -f "$top/po/incoming/written.po" ]; then
  { printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'; cat "$top/po/incoming/written.po"; } \
    > "$localedir/written.po"
  msgcat --use-first "$localedir/written.po" "$top/po/zh_CN.po" -o "$localedir/merged.po"
else
  cp "$top/po/zh_CN.po" "$localedir/merged.po"
fi
msgfmt -o "$localedir/zh_CN/LC_MESSAGES/exam-kiosk.mo" "$localedir/merged.po"

shoot () {
  local out=$1 size=$2 lang=$3; shift 3
  EK_QV_SHOT_INNER=1 EK_QV_SHOT_BINARY="$binary" EK_TEST_SCREEN="${size}x24" \
    EK_LOCALEDIR="$localedir" LC_ALL=C.UTF-8 LANGUAGE="$lang" \
    "$here/run-headless.sh" "$here/screenshot-question-view.sh" "$out" "$@" \
    2> >(grep -v 'Failed to set fd limit' >&2)
  echo "$out"
}

for size in 1366x768 1920x1080; do
  for lang in en zh_CN; do
    shoot "$outdir/qv-choice-$size-$lang.png" "$size" "$lang" --side-panel --position 2
    shoot "$outdir/qv-text-$size-$lang.png" "$size" "$lang" --side-panel --position 4
    shoot "$outdir/qv-read-only-$size-$lang.png" "$size" "$lang" --side-panel --read-only --position 1
    shoot "$outdir/qv-confirm-$size-$lang.png" "$size" "$lang" --side-panel --confirm
    shoot "$outdir/qv-oral-$size-$lang.png" "$size" "$lang" --side-panel --oral
  done
done
