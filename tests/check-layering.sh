#!/usr/bin/env bash
# The layers depend one way: ui -> client -> platform. The engine (client/, in its
# concern folders) never includes GTK, GDK or X11; platform/ never includes client/ or
# ui/ headers. Inside client/, the concern folders depend one way too (docs/ARCHITECTURE.md):
#   base <- session <- net <- media <- upload, lockdown, face <- proctor <- exam, selfcheck
set -u
src=${1:?source root}
fail=0

client_files=$(find "$src/client" -name '*.[ch]' | sort)

if grep -nE '#include <(gtk|gdk|X11|adwaita)' $client_files "$src"/platform/*.[ch] \
   | grep -v '^.*platform/ek-x11' ; then
  echo "layering: a GTK/GDK/X11 header is included in client/ or platform/ (above)"
  fail=1
fi

if [ -n "$(find "$src/client" -maxdepth 1 -name '*.[ch]')" ]; then
  echo "layering: client/ keeps its sources in concern folders, not at its top"
  fail=1
fi

# check_local_includes DIR ALLOWED...: every "ek-*.h" a file in DIR includes is in DIR or
# one of ALLOWED (paths relative to the source root)
check_local_includes () {
  local dir=$1; shift
  for f in "$src/$dir"/*.[ch]; do
    [ -e "$f" ] || continue
    for h in $(sed -n 's/^#include "\(ek-[^"]*\.h\)"/\1/p' "$f"); do
      local found=0
      for allowed in "$dir" "$@"; do
        [ -f "$src/$allowed/$h" ] && found=1
      done
      # generated headers (enums, resources) live in the build tree
      case "$h" in *-enums.h|*-resources.h) found=1 ;; esac
      if [ $found = 0 ]; then
        echo "layering: $dir/$(basename "$f") includes $h from outside what it may use"
        fail=1
      fi
    done
  done
}

for d in "$src"/client/*/; do
  case "$(basename "$d")" in
    base|session|net|media|upload|lockdown|face|proctor|practice|exam|selfcheck) ;;
    *) echo "layering: client/$(basename "$d") is a folder the layering rules do not know"; fail=1 ;;
  esac
done

check_local_includes platform
check_local_includes client/base platform
check_local_includes client/session client/base platform
check_local_includes client/net client/base client/session platform
check_local_includes client/media client/base platform
check_local_includes client/upload client/base client/net client/media platform
check_local_includes client/lockdown client/base client/session platform
check_local_includes client/face client/base client/session client/net client/media platform
check_local_includes client/proctor client/base client/session client/net client/media \
  client/face client/lockdown platform
check_local_includes client/practice client/base client/session client/media platform
check_local_includes client/exam client/base client/session client/net client/media \
  client/upload client/lockdown client/face client/proctor client/practice platform
check_local_includes client/selfcheck client/base client/session client/net client/media \
  client/face client/lockdown platform

exit $fail
