#!/usr/bin/env bash
# bench-server.sh — `GET /v1/user/state` benchmark of the BUILT innernet-server (called for `./build.sh bench server`
# after a Release build).
#
# For networks of 100, 1,000 and 10,000 peers (populated through ServerStore, laid out as `innernet-server new`
# makes it): `innernet-server serve` on wireguard-go in a lab namespace, two benchmark peers on wireguard-go in
# their own namespaces (one sees a few hundred peers, one sees all), requests through the real tunnels.
# Prints latency (median/p99), throughput (4 and 16 connections), start-up time, peak RSS and the in-process
# view/JSON costs, and replaces the generated block of docs/benchmarks.md. Takes about 2-3 minutes.
# At BENCH_SERVER_RESTART_SIZE peers it then compares cold start and warm restart of `serve` (first 200 through the
# tunnel), this build against a baseline build when one is given, runs interleaved, in its own generated block.
#
# Environment: BENCH_SERVER_SIZES (default 100,1000,10000), BENCH_SERVER_REQUESTS (200),
#              BENCH_SERVER_DURATION (seconds per throughput window, 5), BENCH_SERVER_CONCURRENCY (connections of each
#              throughput window, 4,16; innernet's memory figure was taken after three windows of 4 for 10 s: 4,4,4
#              and 10), BENCH_SERVER_DOC (docs/benchmarks.md; empty = do not write),
#              BENCH_SERVER_RESTART_SIZE (10000; 0 = no restart comparison),
#              BENCH_SERVER_RESTART_RUNS (5), BENCH_SERVER_ONLY_RESTART (false; true = at the restart size only the
#              comparison), BENCH_SERVER_BASELINE_REF (a commit, e.g. ad7284f: built in a temporary git worktree and
#              compared) or BENCH_SERVER_BASELINE (an innernet-server binary; BENCH_SERVER_BASELINE_NAME names it).
#              BENCH_SERVER_BINARY (the innernet-server measured; default the JIT build, e.g.
#              artifacts/publish/linux-x64/innernet-server for the Native AOT one).
#              SERVER_BENCH_SMAPS (a directory: the server's /proc smaps and status are copied there after the
#              state load of each size, as smaps-<peers>, status-<peers> and pages-<peers> (the resident pages of
#              each file mapping), to see where the peak goes), with the server's log so far as log-<peers>.
#              Needs root (namespaces, wireguard-go).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
SERVER=${BENCH_SERVER_BINARY:-$ROOT/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server}
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
  --duration-s "${BENCH_SERVER_DURATION:-5}" --concurrency "${BENCH_SERVER_CONCURRENCY:-4,16}" --tsv "$OUT/server.tsv" --machine "$machine")
[ -n "$DOC" ] && args+=(--doc "$DOC")
args+=(--restart-size "${BENCH_SERVER_RESTART_SIZE:-10000}" --restart-runs "${BENCH_SERVER_RESTART_RUNS:-5}"
  --only-restart "${BENCH_SERVER_ONLY_RESTART:-false}")
baseline=${BENCH_SERVER_BASELINE:-}
if [ -n "${BENCH_SERVER_BASELINE_REF:-}" ]; then
  tree=$(mktemp -d /tmp/innernet-bench-baseline.XXXXXX)
  trap 'git -C "$ROOT" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"' EXIT
  git -C "$ROOT" worktree add --detach "$tree" "$BENCH_SERVER_BASELINE_REF" >&2
  echo "==> baseline: building innernet-server at $BENCH_SERVER_BASELINE_REF in $tree" >&2
  dotnet build "$tree/src/Innernet.Server.Cli" -c Release -v:q -nologo >&2
  baseline=$tree/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server
  args+=(--baseline-name "$(git -C "$ROOT" rev-parse --short "$BENCH_SERVER_BASELINE_REF")")
fi
if [ -n "$baseline" ]; then
  args+=(--baseline-binary "$baseline")
  [ -n "${BENCH_SERVER_BASELINE_NAME:-}" ] && args+=(--baseline-name "$BENCH_SERVER_BASELINE_NAME")
fi
echo "==> server: innernet-server serve on wireguard-go, sizes ${BENCH_SERVER_SIZES:-100,1000,10000}" >&2
# exec: Ctrl-C reaches the benchmark directly, which stops the server and removes its namespaces itself. With a
# baseline worktree to remove afterwards the shell stays (the benchmark still gets the terminal's Ctrl-C itself).
if [ -n "${tree:-}" ]; then
  dotnet "$DLL" "${args[@]}"
else
  exec dotnet "$DLL" "${args[@]}"
fi
