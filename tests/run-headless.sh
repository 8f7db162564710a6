#!/usr/bin/env bash
# Runs one test program in a world of its own: a private HOME and XDG folders (0700),
# an Xvfb display, a private D-Bus session bus and an unlocked gnome-keyring, so the
# tests need no display, no desktop session and never touch the user's keyring.
#
# usage: run-headless.sh PROGRAM [ARGS...]
# meson uses it as the exe_wrapper of the default test setup.
set -u

if [ "${EK_HEADLESS_INNER:-}" = 1 ]; then
  # Inside dbus-run-session: unlock a fresh keyring, then run the test.
  # G_DEBUG=fatal-warnings is for the code under test, not for the daemon.
  printf "%s" "ek-test-keyring" | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  # The daemon forks before it owns its bus name; a test that starts at once
  # would race it.
  for _ in $(seq 1 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q "boolean true" && break
    sleep 0.05
  done
  "$@"
  rc=$?
  # The keyring daemon daemonizes and may outlive the bus: end ours (found by our
  # private XDG_RUNTIME_DIR in its environment), never another test's.
  for pid in $(pgrep -u "$(id -u)" gnome-keyring-d 2>/dev/null); do
    if tr '\0' '\n' 2>/dev/null < "/proc/$pid/environ" | grep -qxF "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; then
      kill "$pid" 2>/dev/null
    fi
  done
  exit $rc
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ek-test.XXXXXX")
chmod 0700 "$tmp"
mkdir -m 0700 -p "$tmp/home" "$tmp/run" "$tmp/config" "$tmp/data" "$tmp/cache"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/config" \
       XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache"
export GDK_BACKEND=x11 GTK_A11Y=none GSK_RENDERER=cairo NO_AT_BRIDGE=1 \
       GSETTINGS_BACKEND=memory
unset WAYLAND_DISPLAY XDG_SESSION_TYPE DBUS_SESSION_BUS_ADDRESS SESSION_MANAGER

xvfb_pid=
cleanup () {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${EK_TEST_KEEP_DISPLAY:-}" ] || [ -z "${DISPLAY:-}" ]; then
  Xvfb -displayfd 3 -screen 0 "${EK_TEST_SCREEN:-1920x1080x24}" -nolisten tcp -noreset \
       >"$tmp/xvfb.log" 2>&1 3>"$tmp/displayfd" &
  xvfb_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$tmp/displayfd" ] && break
    sleep 0.05
  done
  if [ ! -s "$tmp/displayfd" ]; then
    echo "run-headless: Xvfb did not start:" >&2
    cat "$tmp/xvfb.log" >&2
    exit 99
  fi
  export DISPLAY=":$(head -n1 "$tmp/displayfd")"
fi

EK_HEADLESS_INNER=1 dbus-run-session -- "$0" "$@"
