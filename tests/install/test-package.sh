#!/usr/bin/env bash
# Suite `install`: builds the Debian package (or reuses the one built from the same
# sources, see build-package.sh), checks it with lintian and for the files it must ship,
# installs it into a temporary root with `dpkg --root` and runs the installed kiosk from
# there: `exam-kiosk --version` and `exam-kiosk --self-check --json FILE`.
#
#   tests/install/test-package.sh SRCDIR STATEDIR
#
# dpkg --root installs into an empty dpkg database: the package's dependencies are
# this machine's (scripts/install-deps.sh installs them), so they are forced, and
# maintainer scripts and triggers run outside the root (the package has none of its
# own). The installed binary runs with this machine's shared libraries; it links its
# own code statically, so it needs no LD_LIBRARY_PATH. The schema is compiled in the
# root (GSETTINGS_SCHEMA_DIR) and the catalogue read from the root (EK_LOCALEDIR).
set -euo pipefail

src=$(cd "${1:?source folder}" && pwd)
state=${2:?state folder}
here=$(cd "$(dirname "$0")" && pwd)

out=$("$here/build-package.sh" "$src" "$state") || exit $?
echo "$out" | sed '$d'
deb=$(echo "$out" | tail -n 1)
fail=0
bad () { echo "FAIL: $*"; fail=1; }

# --- what the package holds -------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/bin/exam-kiosk \
         /usr/share/applications/io.github.examkiosk.Kiosk.desktop \
         /usr/share/metainfo/io.github.examkiosk.Kiosk.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/io.github.examkiosk.Kiosk.svg \
         /usr/share/icons/hicolor/symbolic/apps/io.github.examkiosk.Kiosk-symbolic.svg \
         /usr/share/glib-2.0/schemas/io.github.examkiosk.Kiosk.gschema.xml \
         /usr/share/locale/zh_CN/LC_MESSAGES/exam-kiosk.mo \
         /usr/share/xsessions/exam-kiosk-session.desktop \
         /usr/libexec/exam-kiosk/exam-kiosk-session \
         /usr/libexec/exam-kiosk/exam-kiosk-xorg \
         /usr/share/exam-kiosk/xorg.conf.d/50-exam-kiosk.conf \
         /etc/exam-kiosk/exam-kiosk.conf \
         /usr/share/doc/exam-kiosk/copyright \
         /usr/share/man/man1/exam-kiosk.1.gz; do
  grep -qxF "$f" <<<"$contents" || bad "the package lacks $f"
done
# The snippet is for technicians to install: the package must not activate it.
if grep -E '^/(etc|usr/share)/X11/xorg\.conf\.d/' <<<"$contents"; then
  bad "the package activates an X server snippet by itself"
fi
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null || true)
grep -qxF /etc/exam-kiosk/exam-kiosk.conf <<<"$conffiles" ||
  bad "/etc/exam-kiosk/exam-kiosk.conf is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
for p in gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
         gstreamer1.0-plugins-ugly gstreamer1.0-opencv opencv-data gstreamer1.0-x \
         gstreamer1.0-libav libgtk-4-media-gstreamer libgtk-4-1 gnome-keyring; do
  grep -qE "(^|, )$p( |,|$)" <<<"$depends" || bad "Depends lacks $p"
done

# --- lintian: no errors (warnings are reported) -----------------------------------
if command -v lintian >/dev/null; then
  lintian_out=$(nice lintian --no-cfg "$deb" 2>&1 | grep -v 'running with root privileges' || true)
  [ -n "$lintian_out" ] && echo "$lintian_out"
  if grep -q '^E: ' <<<"$lintian_out"; then
    bad "lintian reports errors"
  fi
else
  echo "lintian not found: not run"
fi

# --- install into a temporary root ------------------------------------------------
root=$(mktemp -d "${TMPDIR:-/tmp}/ek-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
: > "$root/var/lib/dpkg/status"
: > "$root/var/lib/dpkg/available"
dpkg_args=(--root="$root" --log="$root/var/log/dpkg.log" --force-depends
           --force-script-chrootless --no-triggers)
[ "$(id -u)" -eq 0 ] || dpkg_args+=(--force-not-root)
if ! dpkg "${dpkg_args[@]}" -i "$deb" > "$root/dpkg.out" 2>&1; then
  cat "$root/dpkg.out"
  bad "dpkg --root could not install the package"
  exit 1
fi
dpkg --root="$root" -s exam-kiosk | grep -q '^Status: install ok installed' ||
  bad "dpkg --root does not list the package as installed"
dpkg --root="$root" -L exam-kiosk | grep -qxF /usr/bin/exam-kiosk ||
  bad "dpkg --root does not list /usr/bin/exam-kiosk"

kiosk=$root/usr/bin/exam-kiosk
[ -x "$kiosk" ] || { bad "$kiosk is not installed"; exit 1; }
glib-compile-schemas "$root/usr/share/glib-2.0/schemas"
export GSETTINGS_SCHEMA_DIR="$root/usr/share/glib-2.0/schemas"
export EK_LOCALEDIR="$root/usr/share/locale"

version=$(dpkg-deb -f "$deb" Version)
got=$("$kiosk" --version)
[ "$got" = "exam-kiosk ${version%%-*}" ] || bad "--version says “$got”, not “exam-kiosk ${version%%-*}”"

# The device check from the installed paths, on GStreamer test sources and against a
# server that is not there (a closed loopback port answers at once): it runs every check
# and writes its report; failures on this test machine are expected, not running is not.
conf="$root/ek-test.conf"
printf '[server]\nurl=https://127.0.0.1:9\n[storage]\ndata-dir=%s\n[media]\nsource=test\n' \
  "$root/data" > "$conf"
report="$root/report.json"
set +e
LANGUAGE=zh_CN LC_ALL=C.UTF-8 timeout 180 "$kiosk" --config "$conf" --self-check --json "$report" \
  > "$root/self-check.out" 2>&1
rc=$?
set -e
cat "$root/self-check.out"
case $rc in
  0|1) ;;
  *) bad "exam-kiosk --self-check ended with status $rc" ;;
esac
python3 - "$report" <<'PY' || bad "the self-check report is not what it should be"
import json, sys
with open(sys.argv[1]) as f:
    report = json.load(f)
assert report.get("complete") is True, "the report is not complete"
results = report["checks"]
ids = {r.get("id") for r in results}
assert len(results) >= 10, f"only {len(results)} results"
for needed in ("session.x11", "memory.total"):
    assert needed in ids, f"no {needed} in {sorted(ids)}"
print(f"self-check report: {len(results)} results")
PY
# Run from the installed catalogue: the terminal lines are in Chinese.
grep -q '失败\|通过' "$root/self-check.out" || bad "the installed catalogue was not used"

[ $fail = 0 ] && echo "install: the package builds, installs and runs"
exit $fail
