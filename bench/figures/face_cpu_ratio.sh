#!/usr/bin/env bash
# face_cpu_ratio: CPU time (user + system) of the app's face detection per 640x480
# frame (EkFaceDetector through tests/ek-face-bench: appsrc -> facedetect, one frame
# at a time, results matched on the main loop), divided by the CPU time of
# gst-launch-1.0 running facedetect with the same cascade and settings (frontal
# default cascade, min size 60x60, scale factor 1.2, min-neighbors 5) on the same
# frames read from the same raw file. Frames: Megamind.avi (opencv-doc), decoded
# once to raw RGBA, EK_BENCH_FRAMES of them (default 200), EK_BENCH_ROUNDS rounds
# (default 3, order alternated). Target: at most 1.10.
set -euo pipefail

frames=${EK_BENCH_FRAMES:-200}
rounds=${EK_BENCH_ROUNDS:-3}
helper="$EK_BUILDDIR/tests/ek-face-bench"
[ -x "$helper" ] || { echo "face_cpu_ratio: $helper not built" >&2; exit 2; }

data="$EK_BUILDDIR/tests/face-data"
"$EK_SRCDIR/tests/fetch-face-data.sh" "$data"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
raw="$work/frames.rgba"

# Megamind.avi has 270 frames; loop it to the number asked for.
gst-launch-1.0 -q filesrc location="$data/Megamind.avi" ! decodebin ! videoconvert ! \
  videoscale add-borders=true ! "video/x-raw,format=RGBA,width=640,height=480,pixel-aspect-ratio=1/1" ! \
  filesink location="$work/clip.rgba" >/dev/null
while [ "$(stat -c %s "$raw" 2>/dev/null || echo 0)" -lt $((frames * 640 * 480 * 4)) ]; do
  cat "$work/clip.rgba" >> "$raw"
done
truncate -s $((frames * 640 * 480 * 4)) "$raw"

cpu_of () {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))
PY
}

cascade=/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml
baseline () {
  cpu_of gst-launch-1.0 -q filesrc location="$raw" blocksize=$((640 * 480 * 4)) ! \
    rawvideoparse width=640 height=480 format=rgba framerate=0/1 ! videoconvert ! \
    video/x-raw,format=RGB ! facedetect display=false profile="$cascade" min-size-width=60 \
    min-size-height=60 scale-factor=1.2 min-neighbors=5 ! fakesink sync=false
}

app () {
  cpu_of "$helper" detect "$raw" 640 480
}

app_total=0
base_total=0
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then
    a=$(app); b=$(baseline)
  else
    b=$(baseline); a=$(app)
  fi
  echo "face_cpu_ratio: round $round: app ${a} s, gst-launch ${b} s of CPU for $frames frames" \
       "($(python3 -c "print('%.1f' % ($a * 1000 / $frames))") vs $(python3 -c "print('%.1f' % ($b * 1000 / $frames))") ms per frame)" >&2
  app_total=$(python3 -c "print($app_total + $a)")
  base_total=$(python3 -c "print($base_total + $b)")
done

python3 -c "print('face_cpu_ratio = %.2f' % ($app_total / $base_total))"
