#!/usr/bin/env bash
# The zh_CN catalogue compiles, and follows HACKING.md's decision on access keys: no
# "(_X)" mnemonic suffixes in Chinese labels (a candidate's kiosk shows none; keyboard
# users move with Tab and Enter).
set -u
src=${1:?source root}
fail=0
msgfmt -c -o /dev/null "$src/po/zh_CN.po" || fail=1
if grep -nE '^msgstr.*[(（]_[A-Za-z0-9]+[)）]' "$src/po/zh_CN.po"; then
  echo "po: zh_CN labels carry mnemonic suffixes (above); see HACKING.md"
  fail=1
fi
exit $fail
