#!/usr/bin/env bash
# bench-replicas.sh [peers] [writes] [writers] [counts] — `./build.sh bench replicas`: admin-write commit latency on
# LiteDB and PostgreSQL, write throughput over 1 and 3 replicas of one PostgreSQL, and propagation between replicas at
# a steady write rate (bench/Innernet.Benchmarks.Server/ReplicaWriteBench.cs). Starts its own throw-away PostgreSQL
# cluster (Unix socket only, no network); needs root. Defaults: 1000 peers, 400 writes, 16 writers, "1,3".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
[ "$(id -u)" = 0 ] || { echo "bench-replicas.sh: needs root (it starts PostgreSQL as the postgres user)" >&2; exit 1; }
[ -f "$DLL" ] || { echo "bench-replicas.sh: missing $DLL (run ./build.sh build)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for peers in ${1:-1000 10000}; do
  dotnet "$DLL" replicas "$peers" "${2:-400}" "${3:-16}" "${4:-1,3}"
done
