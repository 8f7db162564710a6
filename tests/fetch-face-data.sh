#!/bin/sh
# Fetches the face test pictures from Debian packages into DIR (once; later runs
# find them there): astronaut.png from python3-skimage, messi5.jpg, baboon.jpg and
# Megamind.avi from opencv-doc. Only those files are extracted from the .debs.
# Safe to run from several tests at once (flock on DIR/.lock).
set -eu

dir=${1:?usage: fetch-face-data.sh DIR}
mkdir -p "$dir"
cd "$dir"

exec 9>.lock
flock 9

skimage=./usr/lib/python3/dist-packages/skimage/data/astronaut.png
ocv=./usr/share/doc/opencv-doc/examples/data

if [ -f astronaut.png ] && [ -f messi5.jpg ] && [ -f baboon.jpg ] && [ -f Megamind.avi ]; then
  exit 0
fi

# apt-get download writes into the current directory; it complains (harmlessly)
# when its sandbox user cannot write here.
if ! ls python3-skimage_*.deb >/dev/null 2>&1; then
  apt-get download python3-skimage >/dev/null 2>&1 || { echo "cannot download python3-skimage" >&2; exit 1; }
fi
if ! ls opencv-doc_*.deb >/dev/null 2>&1; then
  apt-get download opencv-doc >/dev/null 2>&1 || { echo "cannot download opencv-doc" >&2; exit 1; }
fi

dpkg-deb --fsys-tarfile python3-skimage_*.deb | tar -x "$skimage"
dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -x "$ocv/messi5.jpg" "$ocv/baboon.jpg" "$ocv/Megamind.avi"
mv "$skimage" astronaut.png
mv "$ocv/messi5.jpg" "$ocv/baboon.jpg" "$ocv/Megamind.avi" .
rm -rf ./usr python3-skimage_*.deb opencv-doc_*.deb
