#!/usr/bin/env bash
# av_sync_ms: how far audio and video drift apart over a long recording (EkRecorder
# through tests/ek-record-helper, 720p30 + audio test sources, 10 s segments): the
# largest offset, in ms, between the first (and last) audio sample and video frame of
# any segment, as decoded from the files (tests/ek-av-sync). A clock drift between the
# two streams would grow segment by segment. EK_BENCH_SECONDS sets the length (default
# 7200, the 2 hours). Target: under 40 ms. The baseline in the same run is the
# first minute of the same recording: the figure also prints how the offset at the end
# compares with it on stderr.
#
# Test sources share the pipeline clock; a real camera and microphone bring their own
# clocks, which this machine cannot show (it has none).
set -euo pipefail

seconds=${EK_BENCH_SECONDS:-7200}
helper="$EK_BUILDDIR/tests/ek-record-helper"
sync="$EK_BUILDDIR/tests/ek-av-sync"
[ -x "$helper" ] || { echo "av_sync_ms: $helper not built" >&2; exit 2; }
[ -x "$sync" ] || { echo "av_sync_ms: $sync not built" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

"$helper" "$work/rec" "$seconds" 10 1000 >/dev/null 2>"$work/stderr" || {
  echo "av_sync_ms: the recording failed:" >&2; cat "$work/stderr" >&2; exit 2; }

"$sync" "$work/rec" > "$work/sync.txt" || {
  echo "av_sync_ms: a segment does not decode:" >&2; tail -5 "$work/sync.txt" >&2; exit 2; }
# EK_BENCH_KEEP=DIR keeps the per-segment offsets, to tell a drift from jitter.
if [ -n "${EK_BENCH_KEEP:-}" ]; then
  mkdir -p "$EK_BENCH_KEEP" && cp "$work/sync.txt" "$EK_BENCH_KEEP/av_sync_segments.txt"
fi

first=$(awk 'NR==1 { o=$3; if (o<0) o=-o; print o }' "$work/sync.txt")
last=$(awk '/start_offset_ns/ { o=$3; if (o<0) o=-o; v=o } END { print v }' "$work/sync.txt")
summary=$(tail -1 "$work/sync.txt")
max_ns=$(echo "$summary" | awk '{ print $2 }')
echo "av_sync_ms: $summary; first segment ${first} ns, last ${last} ns" >&2
awk -v ns="$max_ns" 'BEGIN { printf "av_sync_ms = %.1f\n", ns / 1e6 }'
