#!/bin/sh
# Builds the targets `meson install` installs, and nothing else: the test programs and
# the reference exam server would double the package build for files it does not ship.
set -eu
builddir=$1
targets=$(meson introspect --targets "$builddir" | python3 -c '
import json, os, sys
root = sys.argv[1]
for t in json.load(sys.stdin):
    if t.get("installed"):
        for f in t["filename"]:
            print(os.path.relpath(f, root))
' "$builddir")
# shellcheck disable=SC2086
ninja -C "$builddir" -v $targets
