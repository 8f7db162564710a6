#!/bin/sh
# Fetches the face test pictures from Debian packages into DIR (once; later runs
# find them there): astronaut.png, the LFW face subset and a few scenes and
# textures from python3-skimage; messi5.jpg, baboon.jpg, Megamind.avi and more
# scenes from opencv-doc. Only those files are extracted from the .debs.
# Safe to run from several tests at once (flock on DIR/.lock).
set -eu

dir=${1:?usage: fetch-face-data.sh DIR}
mkdir -p "$dir"
cd "$dir"

exec 9>.lock
flock 9

skimage=./usr/lib/python3/dist-packages/skimage/data
ocv=./usr/share/doc/opencv-doc/examples/data
skimage_files="astronaut.png chelsea.png coffee.png motorcycle_left.png rocket.jpg grass.png brick.png lfw_subset.npy"
ocv_files="messi5.jpg baboon.jpg Megamind.avi home.jpg building.jpg fruits.jpg board.jpg aero1.jpg left01.jpg graf1.png Blender_Suzanne1.jpg Blender_Suzanne2.jpg"

missing=no
for f in $skimage_files $ocv_files; do
  [ -f "$f" ] || missing=yes
done
[ $missing = no ] && exit 0

# apt-get download writes into the current directory; it complains (harmlessly)
# when its sandbox user cannot write here.
if ! ls python3-skimage_*.deb >/dev/null 2>&1; then
  apt-get download python3-skimage >/dev/null 2>&1 || { echo "cannot download python3-skimage" >&2; exit 1; }
fi
if ! ls opencv-doc_*.deb >/dev/null 2>&1; then
  apt-get download opencv-doc >/dev/null 2>&1 || { echo "cannot download opencv-doc" >&2; exit 1; }
fi

dpkg-deb --fsys-tarfile python3-skimage_*.deb | tar -x $(for f in $skimage_files; do echo "$skimage/$f"; done)
dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -x $(for f in $ocv_files; do echo "$ocv/$f"; done)
for f in $skimage_files; do mv "$skimage/$f" .; done
for f in $ocv_files; do mv "$ocv/$f" .; done
rm -rf ./usr python3-skimage_*.deb opencv-doc_*.deb
