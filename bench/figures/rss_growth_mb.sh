#!/usr/bin/env bash
# rss_growth_mb: growth of the resident memory of a recording (EkRecorder through
# tests/ek-record-helper, 720p30 + audio test sources, 10 s segments, hashing)
# between the end of its warm-up and its end. EK_BENCH_SECONDS sets the length
# (default 1800, the issue's 30 minutes). Target: under 10 MB.
set -euo pipefail

seconds=${EK_BENCH_SECONDS:-1800}
helper="$EK_BUILDDIR/tests/ek-record-helper"
[ -x "$helper" ] || { echo "rss_growth_mb: $helper not built" >&2; exit 2; }

# Encoder, muxer and allocator pools settle in the first minute; shorter runs
# use a tenth of their length, at least 10 s.
warmup=$(( seconds / 10 ))
[ "$warmup" -gt 60 ] && warmup=60
[ "$warmup" -lt 10 ] && warmup=10

work=$(mktemp -d)
pid=
# The helper has normally exited by now: a failing kill must not fail the figure
# (errexit applies inside the trap too).
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
chmod 700 "$work"

rss_kb () { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

"$helper" "$work/rec" "$seconds" 10 1000 >/dev/null 2>"$work/stderr" &
pid=$!

start=$SECONDS
warm_kb=0
peak_kb=0
last_kb=0
while kill -0 "$pid" 2>/dev/null; do
  kb=$(rss_kb "$pid")
  elapsed=$(( SECONDS - start ))
  if [ "$elapsed" -ge "$warmup" ] && [ "$warm_kb" = 0 ]; then
    warm_kb=$kb
    echo "rss_growth_mb: ${kb} kB after ${elapsed} s of warm-up" >&2
  fi
  # stop sampling once the recorder is closing down
  if [ "$elapsed" -lt "$seconds" ] && [ "$kb" -gt 0 ]; then
    last_kb=$kb
    [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
  fi
  sleep 2
done
wait "$pid" || { echo "rss_growth_mb: the recording failed: $(cat "$work/stderr")" >&2; exit 1; }

echo "rss_growth_mb: warm ${warm_kb} kB, last ${last_kb} kB, peak ${peak_kb} kB over ${seconds} s" >&2
python3 -c "print('rss_growth_mb = %.1f' % (max(0, $last_kb - $warm_kb) / 1024.0))"
