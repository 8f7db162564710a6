#!/usr/bin/env bash
# Sets up everything and starts the kiosk on the bundled practice exam (offline).
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build
# The catalogues just built, so the kiosk speaks the system's language (LANG, LANGUAGE)
# as an installed one does.
EK_LOCALEDIR="$PWD/build/po" exec build/exam-kiosk --practice "$@"
