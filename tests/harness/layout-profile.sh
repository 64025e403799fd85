#!/usr/bin/env bash
# layout-profile.sh — regenerates src/Publish/<command>.order, the hot-first method order of the Native AOT commands
# (called for `./build.sh layout`, after a Release build and a publish).
#
# Why: a Native AOT executable is mapped from its file, and the kernel maps a read fault's neighbours with it (fault-
# around, 64 KiB). With ILC's default layout the methods a run calls are spread over the whole 12 MiB of code, so
# nearly all of it became resident. Laid out in the order a real run first calls them, they share pages
# (src/Publish/NativeAot.props, docs/benchmarks.md).
#
# How: each published command runs under layout-trace.py (a one-shot breakpoint on every function) in the
# benchmarks' own labs: `innernet-server serve` under bench-server.sh's load at 100 peers, then bench-aot.sh once at
# 1,000 peers (`--help`, the read-only verbs with the server stopped and running, `serve`, `inn up` with and without
# NAT traversal, `inn show`, `inn list-cidrs`). Each command's first calls, in order, de-duplicated, become its order
# file. A method the profile missed still works; it is only placed after the profiled ones. Regenerate when the
# benchmarks show the commands' resident memory growing, and commit the order files with the change.
# Needs root (the labs' namespaces), wireguard-go and python3.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PUB=$ROOT/artifacts/publish/linux-x64
COMMANDS=(innernet-server inn)
die() { echo "layout-profile.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (the benchmarks' network namespaces)"
command -v python3 > /dev/null || die "needs python3 (layout-trace.py)"
command -v nm > /dev/null || die "needs nm (binutils)"
work=$(mktemp -d /tmp/innernet-layout.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
for cmd in "${COMMANDS[@]}"; do
  [ -x "$PUB/$cmd" ] && [ -f "$PUB/symbols/$cmd.dbg" ] || die "no published $cmd with symbols in $PUB (./build.sh publish)"
  nm -n --defined-only "$PUB/symbols/$cmd.dbg" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/$cmd.symbols"
  printf '#!/bin/sh\nexec python3 %q %q %q %q "$@"\n' "$ROOT/tests/harness/layout-trace.py" "$work/$cmd.symbols" \
    "$work/$cmd.hits" "$PUB/$cmd" > "$work/bin/$cmd"
  chmod +x "$work/bin/$cmd"
done
ln -s inn "$work/bin/innernet"

echo "==> layout: innernet-server serve under the state benchmark (100 peers)" >&2
BENCH_SERVER_BINARY=$work/bin/innernet-server BENCH_SERVER_SIZES=100 BENCH_SERVER_CONCURRENCY=4 BENCH_SERVER_DURATION=5 \
  BENCH_SERVER_REQUESTS=20 BENCH_SERVER_RESTART_SIZE=0 BENCH_SERVER_DOC= bash tests/harness/bench-server.sh \
  > "$work/bench-server.log" 2>&1 || { tail -20 "$work/bench-server.log" >&2; die "bench-server.sh failed"; }
echo "==> layout: the commands as processes (bench-aot.sh, 1,000 peers, once each)" >&2
BENCH_AOT_DIR=$work/bin BENCH_AOT_RUNS=1 BENCH_AOT_SIZES=1000 bash tests/harness/bench-aot.sh \
  > "$work/bench-aot.log" 2>&1 || { tail -20 "$work/bench-aot.log" >&2; die "bench-aot.sh failed"; }

for cmd in "${COMMANDS[@]}"; do
  order=src/Publish/$cmd.order
  # The runtime's own C++ functions (_Z…) are linked as they are; ILC orders only the methods it compiles.
  awk '!/^_Z/ && !seen[$0]++' "$work/$cmd.hits" > "$work/$cmd.order"
  mv "$work/$cmd.order" "$order"
  echo "layout: $order: $(wc -l < "$order") methods" >&2
done
