#!/bin/sh
# Fetches the face test pictures from Debian packages into DIR (once; later runs
# find them there): astronaut.png, the LFW face subset and a few scenes and
# textures from python3-skimage; messi5.jpg, baboon.jpg, Megamind.avi and more
# scenes from opencv-doc. The second held-out split of the proctoring clips
# (tests/proctor-clips) has its own: portraits from opencv-doc's manual and
# grace_hopper.jpg (python-matplotlib-data), china.jpg and flower.jpg
# (python3-sklearn). The third (heldout3) has others again: facereg.jpg's four
# portraits, scenes and face-like or textured pictures from opencv-doc's manual and
# python3-skimage, and python3-scipy's raccoon (face.dat). Only those files are extracted from the .debs.
# Safe to run from several tests at once (flock on DIR/.lock).
set -eu

dir=${1:?usage: fetch-face-data.sh DIR}
mkdir -p "$dir"
cd "$dir"

exec 9>.lock
flock 9

skimage=./usr/lib/python3/dist-packages/skimage/data
ocv=./usr/share/doc/opencv-doc/examples/data
ocv_html=./usr/share/doc/opencv-doc/opencv4/html
mpl=./usr/share/matplotlib/mpl-data/sample_data
sklearn=./usr/lib/python3/dist-packages/sklearn/datasets/images
skimage_files="astronaut.png chelsea.png coffee.png motorcycle_left.png rocket.jpg grass.png brick.png lfw_subset.npy horse.png
 camera.png coins.png gravel.png hubble_deep_field.jpg ihc.png motorcycle_right.png"
ocv_files="messi5.jpg baboon.jpg Megamind.avi home.jpg building.jpg fruits.jpg board.jpg aero1.jpg left01.jpg graf1.png Blender_Suzanne1.jpg Blender_Suzanne2.jpg
 leuvenA.jpg stuff.jpg box_in_scene.png aloeL.jpg basketball1.png squirrel_cls.jpg chicky_512.png HappyFish.jpg"
ocv_html_files="face_swapped.jpg lbp_yale.jpg faceDetection.png julia_facedetect_sample.jpg studentsSample_input.jpg
 facereg.jpg detect_test1.jpg detect_test2.jpg histogram_sample.jpg HDRtoneMapping_memorialSample.jpg gst_input.jpg sample.jpg"
mpl_files="grace_hopper.jpg"
sklearn_files="china.jpg flower.jpg"
scipy=./usr/lib/python3/dist-packages/scipy/misc
scipy_files="face.dat"

missing=no
for f in $skimage_files $ocv_files $ocv_html_files $mpl_files $sklearn_files $scipy_files; do
  [ -f "$f" ] || missing=yes
done
[ $missing = no ] && exit 0

# apt-get download writes into the current directory; it complains (harmlessly)
# when its sandbox user cannot write here.
if ! ls python3-skimage_*.deb >/dev/null 2>&1; then
  apt-get download python3-skimage >/dev/null 2>&1 || { echo "cannot download python3-skimage" >&2; exit 1; }
fi
for pkg in opencv-doc python-matplotlib-data python3-sklearn python3-scipy; do
  if ! ls ${pkg}_*.deb >/dev/null 2>&1; then
    apt-get download $pkg >/dev/null 2>&1 || { echo "cannot download $pkg" >&2; exit 1; }
  fi
done

dpkg-deb --fsys-tarfile python3-skimage_*.deb | tar -x $(for f in $skimage_files; do echo "$skimage/$f"; done)
dpkg-deb --fsys-tarfile opencv-doc_*.deb |
  tar -x $(for f in $ocv_files; do echo "$ocv/$f"; done) $(for f in $ocv_html_files; do echo "$ocv_html/$f"; done)
dpkg-deb --fsys-tarfile python-matplotlib-data_*.deb | tar -x $(for f in $mpl_files; do echo "$mpl/$f"; done)
dpkg-deb --fsys-tarfile python3-sklearn_*.deb | tar -x $(for f in $sklearn_files; do echo "$sklearn/$f"; done)
for f in $skimage_files; do mv "$skimage/$f" .; done
for f in $ocv_files; do mv "$ocv/$f" .; done
for f in $ocv_html_files; do mv "$ocv_html/$f" .; done
for f in $mpl_files; do mv "$mpl/$f" .; done
dpkg-deb --fsys-tarfile python3-scipy_*.deb | tar -x $(for f in $scipy_files; do echo "$scipy/$f"; done)
for f in $sklearn_files; do mv "$sklearn/$f" .; done
for f in $scipy_files; do mv "$scipy/$f" .; done
rm -rf ./usr python3-skimage_*.deb opencv-doc_*.deb python-matplotlib-data_*.deb python3-sklearn_*.deb python3-scipy_*.deb
