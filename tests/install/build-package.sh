#!/usr/bin/env bash
# Builds the Debian package from debian/ (dpkg-buildpackage -us -uc -b) into
# STATEDIR, or reuses the one there when the sources have not changed since.
#
#   tests/install/build-package.sh SRCDIR STATEDIR
#
# The sources are copied first: dpkg-buildpackage builds inside the source tree and
# writes the .deb next to it, and neither belongs in the checkout. The copy is what a
# release tarball holds: the meson project, debian/, and nothing built.
# Prints the path of the .deb on its last line. Exit 77 (skip) without the tools.
set -euo pipefail

src=$(cd "${1:?source folder}" && pwd)
state=${2:?state folder}
mkdir -p "$state"
state=$(cd "$state" && pwd)

for tool in dpkg-buildpackage dh dpkg-deb fakeroot meson ninja; do
  command -v "$tool" >/dev/null || { echo "build-package: $tool not found (scripts/install-deps.sh installs it)"; exit 77; }
done

# What goes into the package build: the project's own files, not build folders, not
# the node modules of the tus test server.
parts=(meson.build meson_options.txt client platform ui assets po docs tests debian)
list_sources () {
  (cd "$src" && find "${parts[@]}" -type f \
     -not -path 'tests/tus-node/node_modules/*' -not -name '*~' -print0 | sort -z)
}

# The tests are built by neither the package nor its install: a change there alone
# (their meson.build files aside) reuses the package.
hash=$(list_sources | tr '\0' '\n' | awk '!/^tests\// || /^tests\/(.*\/)?meson\.build$/' |
       (cd "$src" && tr '\n' '\0' | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb="$state/exam-kiosk_${version}_${arch}.deb"

if [ -f "$deb" ] && [ "$(cat "$state/sources.sha256" 2>/dev/null)" = "$hash" ]; then
  echo "build-package: the sources did not change; reusing $deb"
  echo "$deb"
  exit 0
fi

rm -rf "$state/src" "$state"/*.deb "$state"/*.buildinfo "$state"/*.changes "$state/sources.sha256"
mkdir -p "$state/src"
list_sources | (cd "$src" && tar --null -T - -cf -) | tar -C "$state/src" -xf -

echo "build-package: building the package (log: $state/build.log)"
start=$(date +%s)
if ! (cd "$state/src" &&
      DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        nice -n 10 dpkg-buildpackage -us -uc -b) >"$state/build.log" 2>&1; then
  tail -n 60 "$state/build.log"
  echo "build-package: dpkg-buildpackage failed"
  exit 1
fi
echo "build-package: built in $(( $(date +%s) - start )) s"

# dpkg-buildpackage writes next to the source folder, i.e. into $state.
[ -f "$deb" ] || { echo "build-package: $deb was not made"; ls -l "$state"; exit 1; }
rm -rf "$state/src"
echo "$hash" > "$state/sources.sha256"
echo "$deb"
