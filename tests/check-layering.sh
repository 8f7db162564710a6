#!/usr/bin/env bash
# The layers depend one way: ui -> client -> platform. The engine (client/) never
# includes GTK, GDK or X11; platform/ never includes client/ or ui/ headers.
set -u
src=${1:?source root}
fail=0

if grep -nE '#include <(gtk|gdk|X11|adwaita)' "$src"/client/*.[ch] "$src"/platform/*.[ch] \
   | grep -v '^.*platform/ek-x11' ; then
  echo "layering: a GTK/GDK/X11 header is included in client/ or platform/ (above)"
  fail=1
fi

check_local_includes () {
  local dir=$1; shift
  for f in "$src/$dir"/*.[ch]; do
    for h in $(sed -n 's/^#include "\(ek-[^"]*\.h\)"/\1/p' "$f"); do
      local found=0
      for allowed in "$dir" "$@"; do
        [ -f "$src/$allowed/$h" ] && found=1
      done
      # generated headers (enums, resources) live in the build tree
      case "$h" in *-enums.h|*-resources.h) found=1 ;; esac
      if [ $found = 0 ]; then
        echo "layering: $dir/$(basename "$f") includes $h from outside its layer"
        fail=1
      fi
    done
  done
}

check_local_includes platform
check_local_includes client platform

exit $fail
