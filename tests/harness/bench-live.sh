#!/usr/bin/env bash
# bench-live.sh [clients] — propagation of admin changes over the live state stream (called for
# `./build.sh bench live [clients]` after a Release build).
#
# The server runs in-process (real Kestrel, the real store on a file, no WireGuard) on 127.88.0.1; a child process
# holds one GET /v1/user/state/stream per client (default 1,000; `bench live 10000` for 10,000), each a real HTTP
# connection from its own loopback address with its own peer in the store. Measures, per kind of admin change (add
# a peer every client sees, disable it, add and delete an association between two teams), the time from the admin
# call returning to each affected client having received and parsed its update (p50/p99/max over the rounds), the
# server's CPU time per change, and the server's memory per held connection. Writes its block into
# docs/benchmarks.md (one block per client count). About 10 s at 1,000 clients, a minute or two at 10,000.
#
# Then, as root, the same kind of change with real processes: LivePropagationScenario (host layer of
# Innernet.Scenarios.Tests) runs innernet-server serve and N inn up --daemon (the Native AOT commands), each in its own
# network namespace on wireguard-go (interface names unique per run, everything deleted afterwards, also on failure),
# for N = 10 and 50; it prints p50/p99/max from the server command to each client's device. 3–10 minutes at 50 clients
# on 2 cores.
#
# Environment: BENCH_LIVE_ROUNDS (default 5), BENCH_LIVE_DOC (docs/benchmarks.md; empty = do not write),
# BENCH_LIVE_NAMESPACES (default 10,50; empty = skip the namespace runs).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks.Live/release/Innernet.Benchmarks.Live.dll
DOC=${BENCH_LIVE_DOC-docs/benchmarks.md}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "bench-live.sh: $*" >&2; exit 1; }
[ -f "$DLL" ] || die "missing $DLL (run ./build.sh build)"
clients=${1:-1000}
[[ "$clients" =~ ^[0-9]+$ ]] || die "clients must be a number, not '$clients'"
args=("$clients" --rounds "${BENCH_LIVE_ROUNDS:-5}")
[ -n "$DOC" ] && args+=(--doc "$DOC")
echo "==> live: $clients stream clients, ${BENCH_LIVE_ROUNDS:-5} rounds of 4 admin changes" >&2
# The shipped innernet-server is Native AOT: fully optimised code, no tiering. Under the JIT the paths one change takes
# (an association's view update runs once per round) stay at tier 0, and their promotion compiles run on the bench's
# two cores inside the measured window: that doubled the association figures and tripled their CPU. So no tiering.
DOTNET_TieredCompilation=0 dotnet "$DLL" "${args[@]}"

SCENARIOS=$ROOT/artifacts/build/bin/Innernet.Scenarios.Tests/release/Innernet.Scenarios.Tests.dll
namespaces=${BENCH_LIVE_NAMESPACES-10,50}
[ -n "$namespaces" ] || exit 0
[ "$(id -u)" = 0 ] || die "the namespace runs need root (BENCH_LIVE_NAMESPACES= skips them)"
[ -f "$SCENARIOS" ] || die "missing $SCENARIOS (run ./build.sh build)"
# The daemons and the server are the Native AOT commands a user runs (./build.sh bench live publishes them): fifty
# JIT-compiling daemons on two cores measure the JIT, not the propagation.
PUBLISHED=$ROOT/artifacts/publish/linux-x64
export INNERNET_SERVER_BINARY=${INNERNET_SERVER_BINARY:-$PUBLISHED/innernet-server} INN_BINARY=${INN_BINARY:-$PUBLISHED/inn}
[ -x "$INNERNET_SERVER_BINARY" ] && [ -x "$INN_BINARY" ] || die "missing $INNERNET_SERVER_BINARY or $INN_BINARY (./build.sh publish)"
for n in ${namespaces//,/ }; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 100 ] || die "BENCH_LIVE_NAMESPACES: 2 to 100 clients, not '$n'"
  echo "==> live: $n daemons in namespaces on wireguard-go (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  if ! out=$(CI=true INNERNET_PROPAGATION_CLIENTS=$n timeout $((600 + 10 * n)) dotnet "$SCENARIOS" -noColor -noLogo \
      -method "*LivePropagationScenario.AdminChanges_ReachEveryClientsDevice_P99Within1s" 2>&1); then
    echo "$out" | tail -n 80 >&2
    die "the $n-client run failed"
  fi
  grep -m1 -o 'propagation to .*' <<<"$out"
done
