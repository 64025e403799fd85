#!/usr/bin/env bash
# bench-durability.sh — the write path before and after durable commits (called for `./build.sh bench durability`
# after a Release build).
#
# Builds innernet-server at the baseline commit (default ad7284f, the last one whose commits were not fsynced) in a
# temporary git worktree, then runs `Innernet.Benchmarks.Server post`: one 10,000-peer network, each server in turn
# (baseline, current; two rounds) serving on wireguard-go in a lab namespace, POST /v1/admin/peers over the admin
# socket (300 sequential requests, then 1, 4 and 16 connections for 5 s each), plus the store's in-process commit latency without
# and with fsync. Prints the tables and replaces the durability block of docs/benchmarks.md. About 3-4 minutes.
#
# Environment: BENCH_DURABILITY_BASE (commit, default ad7284f), BENCH_DURABILITY_PEERS (10000),
#              BENCH_DURABILITY_ROUNDS (2), BENCH_DURABILITY_CONCURRENCY (1,4,16),
#              BENCH_DURABILITY_DOC (docs/benchmarks.md; empty = do not write).
# Needs root (namespaces, wireguard-go) and git history containing the baseline commit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
SERVER=$ROOT/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server
BASE=${BENCH_DURABILITY_BASE:-ad7284f}
DOC=${BENCH_DURABILITY_DOC-docs/benchmarks.md}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "bench-durability.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, wireguard-go)"
[ -f "$DLL" ] || die "missing $DLL (run ./build.sh build)"
[ -x "$SERVER" ] || die "missing $SERVER (run ./build.sh build)"
command -v wireguard-go >/dev/null || die "wireguard-go is not installed (./build.sh setup)"
git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null || die "baseline commit $BASE is not in this clone (fetch more history)"
mkdir -p /run/wireguard

tmp=$(mktemp -d /tmp/inn-durability-bench-XXXXXX)
cleanup() {
  git worktree remove --force "$tmp/base" 2>/dev/null || true
  rm -rf "$tmp"
  git worktree prune 2>/dev/null || true
}
trap cleanup EXIT
echo "==> durability: building innernet-server at $BASE in a temporary worktree" >&2
git worktree add --quiet --detach "$tmp/base" "$BASE"
(cd "$tmp/base" && dotnet build src/Innernet.Server.Cli -c Release -v:q -nologo >/dev/null) || die "building $BASE failed"
BASE_SERVER=$tmp/base/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server
[ -x "$BASE_SERVER" ] || die "the baseline build produced no $BASE_SERVER"

wireguard_go=$(wireguard-go --version 2>/dev/null | head -1 | awk '{print "wireguard-go", $2}') || true
temp_fs=$(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}')
machine="$(nproc) cores, $wireguard_go, kernel $(uname -r), $temp_fs temp dir"
args=(post --binary "$SERVER" --baseline-binary "$BASE_SERVER" --baseline-label "baseline $BASE"
  --peers "${BENCH_DURABILITY_PEERS:-10000}" --rounds "${BENCH_DURABILITY_ROUNDS:-2}"
  --concurrency "${BENCH_DURABILITY_CONCURRENCY:-1,4,16}" --machine "$machine")
[ -n "$DOC" ] && args+=(--doc "$DOC")
echo "==> durability: POST /v1/admin/peers, baseline $BASE vs current" >&2
dotnet "$DLL" "${args[@]}"
