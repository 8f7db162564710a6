#!/usr/bin/env bash
# upload_throughput_ratio: throughput of the tus client (EkTusClient, 4 MiB chunks)
# over loopback to the reference server, divided by that of curl(1) sending the same
# bytes in one tus PATCH to the same server (tests/ek-upload-bench.c). The server
# announces the checksum extension, so the client sends Upload-Checksum on every
# chunk; the curl side (a shell script) hashes the file with openssl and its one PATCH
# carries the whole file's Upload-Checksum, so both do the same work and the server
# verifies the same bytes. Best of 5 alternating runs each, EK_BENCH_UPLOAD_MIB
# (default 128) MiB of random bytes. The same comparison without any checksum goes
# to stderr, with each run's CPU time. EK_BENCH_CHUNK_MIB sets another chunk size.
# Target: at least 0.90.
set -euo pipefail

bench="$EK_BUILDDIR/tests/ek-upload-bench"
[ -x "$bench" ] || { echo "upload_throughput_ratio: $bench not built" >&2; exit 2; }
command -v curl >/dev/null && command -v openssl >/dev/null || { echo "upload_throughput_ratio: curl(1) and openssl(1) are needed for the baseline" >&2; exit 2; }

export EK_TEST_SRCDIR="$EK_SRCDIR/tests" EK_TEST_BUILDDIR="$EK_BUILDDIR/tests"
exec "$bench" throughput "${EK_BENCH_UPLOAD_MIB:-128}"
