#!/usr/bin/env bash
# Installs every Debian 12 package that ExamKiosk needs to build, run and test.
# Idempotent; run as root (or through sudo) on a fresh machine.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  gcc pkg-config meson ninja-build gettext git ca-certificates
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libcurl4-openssl-dev libjson-glib-dev libsecret-1-dev libsoup-3.0-dev libsqlite3-dev
  libssl-dev
  # the recording sealed for the examining body (X25519 sealed box + secretstream)
  libsodium-dev
  libqrencode-dev libx11-dev libxrandr-dev libxi-dev libxres-dev libxtst-dev
  libxcomposite-dev libxss-dev
  # fuzzing: the libFuzzer targets of tests/fuzz (suite `fuzz`, tests/fuzz/run.sh)
  clang-14 libfuzzer-14-dev
  # validators used as meson tests
  desktop-file-utils appstream
  # the Debian package (debian/, suite `install`): dpkg-buildpackage, dh, lintian
  dpkg-dev debhelper fakeroot lintian
  # runtime: media
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-plugins-base-apps gstreamer1.0-x gstreamer1.0-gl
  gstreamer1.0-opencv opencv-data
  # tests: the labelled proctoring clips (tests/proctor-clips) are generated from
  # Debian's pictures and voices
  python3-numpy python3-pil espeak-ng flite
  # tests: a speech sample for the voice activity detector (test-recorder-analysis)
  espeak-ng
  # GtkVideo's GStreamer backend: the practice finish page plays the recording back
  libgtk-4-media-gstreamer
  # runtime: desktop
  # fonts-noto-cjk: Chinese with real weights (fonts-wqy-microhei has one, so headings
  # in zh_CN would render regular)
  adwaita-icon-theme fonts-dejavu-core fonts-noto-cjk
  # librsvg2-common: GdkPixbuf's SVG loader, for the pictures in assets/ (second view)
  librsvg2-common
  # tests: headless X11, private D-Bus session, unlocked keyring
  xvfb xauth x11-xserver-utils x11-utils xdotool
  # tests: the accessibility suite (a private accessibility bus, the tree read through AT-SPI)
  at-spi2-core python3-pyatspi gir1.2-atspi-2.0
  # tests: lockdown escape suite (a window manager, Xorg's dummy driver for monitors)
  openbox wmctrl xserver-xorg-core xserver-xorg-video-dummy xinput
  # tests: a debugger and a tracer attached to the kiosk mid-exam (issue 13)
  gdb strace
  # screenshots (tests/screenshot.sh): xwd and convert
  x11-apps imagemagick
  dbus-daemon dbus-bin gnome-keyring libsecret-tools openssl
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
