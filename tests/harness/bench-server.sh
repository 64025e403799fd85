#!/usr/bin/env bash
# bench-server.sh — `GET /v1/user/state` benchmark of the BUILT innernet-server (called for `./build.sh bench server`
# after a Release build).
#
# For networks of 100, 1,000 and 10,000 peers (populated through ServerStore, laid out as `innernet-server new`
# makes it): `innernet-server serve` on wireguard-go in a lab namespace, two benchmark peers on wireguard-go in
# their own namespaces (one sees a few hundred peers, one sees all), requests through the real tunnels.
# Prints latency (median/p99), throughput (4 and 16 connections), start-up time, peak RSS and the in-process
# view/JSON costs, and replaces the generated block of docs/benchmarks.md. Takes about 2-3 minutes.
#
# Environment: BENCH_SERVER_SIZES (default 100,1000,10000), BENCH_SERVER_REQUESTS (200),
#              BENCH_SERVER_DURATION (seconds per throughput window, 5), BENCH_SERVER_DOC (docs/benchmarks.md;
#              empty = do not write). Needs root (namespaces, wireguard-go).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
SERVER=$ROOT/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server
OUT=$ROOT/artifacts/bench
DOC=${BENCH_SERVER_DOC-docs/benchmarks.md}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "bench-server.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, wireguard-go)"
[ -f "$DLL" ] || die "missing $DLL (run ./build.sh build)"
[ -x "$SERVER" ] || die "missing $SERVER (run ./build.sh build)"
command -v wireguard-go >/dev/null || die "wireguard-go is not installed (./build.sh setup)"
mkdir -p "$OUT" /run/wireguard

machine="$(nproc) cores, $(wireguard-go --version 2>/dev/null | head -1 | awk '{print "wireguard-go", $2}'), kernel $(uname -r)"
args=(--binary "$SERVER" --sizes "${BENCH_SERVER_SIZES:-100,1000,10000}" --requests "${BENCH_SERVER_REQUESTS:-200}"
  --duration-s "${BENCH_SERVER_DURATION:-5}" --tsv "$OUT/server.tsv" --machine "$machine")
[ -n "$DOC" ] && args+=(--doc "$DOC")
echo "==> server: innernet-server serve on wireguard-go, sizes ${BENCH_SERVER_SIZES:-100,1000,10000}" >&2
# exec: Ctrl-C reaches the benchmark directly, which stops the server and removes its namespaces itself.
exec dotnet "$DLL" "${args[@]}"
