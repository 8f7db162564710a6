#!/bin/sh
# Regenerates po/exam-kiosk.pot from the files in POTFILES.in and merges it into every
# translation listed in LINGUAS, then reports what is left to translate.
#
# usage: po/update-po.sh [BUILDDIR]    (default: build; configured with `meson setup`)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-build}
case $builddir in
  /*) ;;
  *) builddir="$top/$builddir" ;;
esac

if [ ! -f "$builddir/build.ninja" ]; then
  echo "update-po: $builddir is not a meson build folder; run: meson setup $builddir" >&2
  exit 1
fi

meson compile -C "$builddir" exam-kiosk-pot exam-kiosk-update-po

status=0
for lang in $(sed -e 's/#.*//' "$top/po/LINGUAS"); do
  printf '%s: ' "$lang"
  msgfmt --check --statistics -o /dev/null "$top/po/$lang.po" 2>&1
  if msgattrib --only-fuzzy "$top/po/$lang.po" | grep -q '^msgid' ||
     msgattrib --untranslated "$top/po/$lang.po" | grep -q '^msgid'; then
    echo "update-po: $lang.po has fuzzy or untranslated messages" >&2
    status=1
  fi
done
exit $status
