#!/usr/bin/env bash
# Screenshots of the identity check page and the exam page's signal indicator
# (tests/face-check-demo) under Xvfb, at 1366x768 and 1920x1080, in English and
# Simplified Chinese. The camera is the test source showing a picture or clip from
# BUILDDIR/tests/face-data (tests/fetch-face-data.sh). Builds nothing.
#
# usage: tests/screenshot-face.sh BUILDDIR OUTDIR
#
# The Chinese catalogue is BUILDDIR/po's zh_CN.po with po/incoming/face.po laid over it
# while that fragment is not merged yet.
set -eu

# One shot inside run-headless.sh; args: OUT DELAY [DEMO ARGS].
if [ "${EK_FACE_SHOT_INNER:-}" = 1 ]; then
  out=$1; delay=$2; shift 2
  "$EK_FACE_SHOT_BINARY" "$@" >/dev/null 2>&1 &
  demo=$!
  for _ in $(seq 1 100); do
    xwininfo -root -tree 2>/dev/null | grep -q '"ExamKiosk"' && break
    sleep 0.1
  done
  sleep "$delay"
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
binary="$builddir/tests/face-check-demo"
[ -x "$binary" ] || { echo "screenshot: $binary not built" >&2; exit 1; }
data="$builddir/tests/face-data"
"$here/fetch-face-data.sh" "$data"

localedir=$(mktemp -d)
trap 'rm -rf "$localedir"' EXIT
mkdir -p "$localedir/zh_CN/LC_MESSAGES"
# Each fragment alone (some have a header, some not), face.po first.
fragments=()
for f in "$top/po/incoming/face.po" "$top/po/incoming/"*.po; do
  n="$localedir/$(basename "$f").${#fragments[@]}"
  if grep -q '^msgid ""$' "$f"; then
    cp "$f" "$n"
  else
    { printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=1; plural=0;\\n"\n\n'
      cat "$f"; } > "$n"
  fi
  msgcat -o /dev/null "$n" 2>/dev/null && fragments+=("$n")
done
msgcat --use-first "${fragments[@]}" "$top/po/zh_CN.po" -o "$localedir/merged.po" 2>/dev/null ||
  cp "$top/po/zh_CN.po" "$localedir/merged.po"
msgfmt -o "$localedir/zh_CN/LC_MESSAGES/exam-kiosk.mo" "$localedir/merged.po"

shoot () {
  local out=$1 size=$2 lang=$3 camera=$4 delay=$5; shift 5
  EK_FACE_SHOT_INNER=1 EK_FACE_SHOT_BINARY="$binary" EK_TEST_SCREEN="${size}x24" \
    EK_TEST_CAMERA_FILE="$camera" EK_LOCALEDIR="$localedir" LC_ALL=C.UTF-8 LANGUAGE="$lang" \
    "$here/run-headless.sh" "$here/screenshot-face.sh" "$out" "$delay" "$@" \
    2> >(grep -v 'Failed to set fd limit' >&2)
  echo "$out"
}

for size in 1366x768 1920x1080; do
  for lang in en zh_CN; do
    # the whole astronaut picture: the face is too small ("move closer")
    shoot "$outdir/face-closer-$size-$lang.png" "$size" "$lang" "$data/astronaut.png" 3
    # the Megamind clip: guidance, then the head-turn challenge
    shoot "$outdir/face-clip-$size-$lang.png" "$size" "$lang" "$data/Megamind.avi" 6
    shoot "$outdir/face-indicator-$size-$lang.png" "$size" "$lang" "" 1.5 --indicator
  done
done
