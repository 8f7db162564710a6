#!/usr/bin/env bash
# record_cpu_ratio: CPU time (user + system) of the app's recording pipeline
# (EkRecorder through tests/ek-record-helper: 720p30 live test camera + live test
# microphone, preview and face branches, level and WebRTC voice activity detector,
# 10 s Matroska segments, hashing) over
# EK_BENCH_SECONDS (default 60), divided by the CPU time of gst-launch-1.0 running
# the same pipeline with fakesinks in place of the app's frame hand-off.
# Target: at most 1.10.
# EK_BENCH_SEAL=1: the app seals every segment for a fresh key pair, as an exam with
# `recording.public_key` does (protocol section 8.1); the baseline stays plain.
set -euo pipefail

seconds=${EK_BENCH_SECONDS:-60}
rounds=${EK_BENCH_ROUNDS:-1}
helper="$EK_BUILDDIR/tests/ek-record-helper"
[ -x "$helper" ] || { echo "record_cpu_ratio: $helper not built" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

if [ "${EK_BENCH_SEAL:-0}" = 1 ]; then
  EK_RECORD_SEAL_KEY=$("$EK_BUILDDIR/tests/ek-decrypt" --keygen "$work/examining-body.key")
  export EK_RECORD_SEAL_KEY
  echo "record_cpu_ratio: segments sealed (EK_BENCH_SEAL=1)" >&2
fi

# CPU seconds (user + system) of the command's process tree.
cpu_of () {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))
PY
}

baseline () {
  local out=$1
  mkdir -m 700 "$out"
  # -e: SIGINT turns into EOS, so the last segment is closed as the app does.
  cpu_of timeout -s INT "$seconds" gst-launch-1.0 -e -q \
    input-selector name=selector sync-streams=false cache-buffers=false ! tee name=vt \
    vt. ! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 ! \
      x264enc tune=zerolatency speed-preset=veryfast bitrate=1000 key-int-max=30 ! \
      h264parse ! queue ! cmux.video \
    vt. ! videorate drop-only=true max-rate=15 ! \
      queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! \
      videoscale ! videoconvert ! "video/x-raw,format=RGBA,width=640,height=360,pixel-aspect-ratio=1/1" ! \
      fakesink sync=false async=false \
    vt. ! videorate drop-only=true max-rate=2 ! \
      queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! \
      videoscale ! videoconvert ! "video/x-raw,format=RGBA,width=640,height=360,pixel-aspect-ratio=1/1" ! \
      fakesink sync=false async=false \
    videotestsrc is-live=true pattern=ball ! \
      "video/x-raw,format=I420,width=1280,height=720,framerate=30/1,pixel-aspect-ratio=1/1" ! selector. \
    audiotestsrc is-live=true wave=sine freq=440 volume=0.1 ! audioconvert ! audioresample ! \
      "audio/x-raw,format=S16LE,rate=48000,channels=1" ! \
      level interval=100000000 post-messages=true ! tee name=atee ! \
      opusenc bitrate=48000 ! queue ! cmux.audio_0 \
    atee. ! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 ! \
      audioconvert ! audioresample ! "audio/x-raw,format=S16LE,rate=16000,channels=1" ! \
      webrtcdsp voice-detection=true voice-detection-likelihood=very-low \
        voice-detection-frame-size-ms=10 echo-cancel=false noise-suppression=false \
        gain-control=false high-pass-filter=false extended-filter=false delay-agnostic=false \
        experimental-agc=false ! fakesink sync=false async=false \
    splitmuxsink name=cmux muxer=matroskamux max-size-bytes=0 \
      max-size-time=10000000000 location="$out/camera-%05d.mkv"
}

app () {
  cpu_of "$helper" "$1" "$seconds" 10 1000
}

app_total=0
base_total=0
for round in $(seq 1 "$rounds"); do
  # Alternate the order so that a load change on the machine hits both.
  if [ $((round % 2)) = 1 ]; then
    a=$(app "$work/app-$round"); b=$(baseline "$work/base-$round")
  else
    b=$(baseline "$work/base-$round"); a=$(app "$work/app-$round")
  fi
  echo "record_cpu_ratio: round $round: app ${a} s, gst-launch ${b} s of CPU for ${seconds} s" >&2
  app_total=$(python3 -c "print($app_total + $a)")
  base_total=$(python3 -c "print($base_total + $b)")
  app_files=$(ls "$work/app-$round" | wc -l)
  base_files=$(ls "$work/base-$round" | wc -l)
  echo "record_cpu_ratio: segments written: app $app_files, gst-launch $base_files" >&2
  [ "$app_files" -ge $((seconds / 10)) ] || { echo "record_cpu_ratio: the app recorded too little" >&2; exit 1; }
done

python3 -c "print('record_cpu_ratio = %.2f' % ($app_total / $base_total))"
