#!/usr/bin/env bash
# upload_plain_throughput_ratio: throughput of the tus client (EkTusClient, default
# chunks) over loopback to @tus/server with its FileStore (tests/tus-node: no checksum
# extension, like tusd, what deployments run), divided by that of curl(1) sending the
# same bytes in one tus PATCH to the same server, measured in the same run
# (tests/ek-upload-bench.c `plain`). Best of EK_BENCH_RUNS (default 9: a run is about
# a second, and on a shared two-core machine single runs vary by a factor of two)
# alternating runs each, EK_BENCH_UPLOAD_MIB (default 128) MiB of random bytes; each
# run's times and CPU go to stderr. EK_BENCH_CHUNK_MIB sets another chunk size. Needs node >= 20.19 and npm
# (@tus/server is installed into the build folder on first use). Target: at least 0.90.
set -euo pipefail

bench="$EK_BUILDDIR/tests/ek-upload-bench"
[ -x "$bench" ] || { echo "upload_plain_throughput_ratio: $bench not built" >&2; exit 2; }
command -v curl >/dev/null || { echo "upload_plain_throughput_ratio: curl(1) is needed for the baseline" >&2; exit 2; }

export EK_TEST_SRCDIR="$EK_SRCDIR/tests" EK_TEST_BUILDDIR="$EK_BUILDDIR/tests"
export EK_BENCH_RUNS="${EK_BENCH_RUNS:-9}"
exec "$bench" plain "${EK_BENCH_UPLOAD_MIB:-128}"
