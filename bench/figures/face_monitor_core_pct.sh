#!/usr/bin/env bash
# face_monitor_core_pct: the live proctoring monitor's share of one core during a
# recording. tests/ek-face-bench records with EkRecorder (720p30 test camera and
# microphone, as in record_cpu_ratio) and runs EkProctorSignals at the policy's
# default rate (2 face-monitor frames a second, 640x360) in alternating windows:
# off, on, off, on. The figure is (CPU with - CPU without) / wall time, in percent.
# The test camera shows no face: the frontal search runs over the whole frame
# down to 32 px faces; the profile search (the "head turned or seat empty?"
# check) runs only on a crop around where a face last was, so not here.
# EK_BENCH_SECONDS (default 60) is the whole recording. Target: under 10.
set -euo pipefail

seconds=${EK_BENCH_SECONDS:-60}
helper="$EK_BUILDDIR/tests/ek-face-bench"
[ -x "$helper" ] || { echo "face_monitor_core_pct: $helper not built" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

line=$("$helper" monitor "$work/rec" "$seconds" 2>/dev/null)
read -r _ off _ on _ window _ threads _ n <<<"$line"
echo "face_monitor_core_pct: recording alone ${off} s, with the monitor ${on} s of CPU in ${window} s each;" \
     "detector threads ${threads} s; ${n} frames searched" >&2
python3 -c "print('face_monitor_core_pct = %.1f' % (max(0.0, ($on - $off)) * 100 / $window))"
