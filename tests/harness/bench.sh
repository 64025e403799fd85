#!/usr/bin/env bash
# bench.sh [netlink|all|<what> [args]] — benchmarks, called by `./build.sh bench [what]` after a Release build.
#
#   netlink   apply/read 1,000 and 10,000 peers (one /32 each, random keys, no endpoints):
#             Innernet.Netlink vs `wg setconf` / `wg show IF dump` on the same device —
#             UAPI against wireguard-go on the host (in a lab namespace), and the kernel module
#             inside ONE throw-away VM boot (tests/harness/kvm-run.sh). Prints a table of medians
#             and writes it into docs/benchmarks.md.
#   <what>    any other tests/harness/bench-<what>.sh (e.g. server; `live 10000`), given the remaining arguments
#   all       netlink, then every bench-<what>.sh
#
# Environment: BENCH_RUNS (default 5), BENCH_PEERS (default 1000,10000), BENCH_SKIP_KERNEL=1.
# Needs root (namespaces, wireguard-go, the VM).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DLL=$ROOT/artifacts/build/bin/Innernet.Benchmarks/release/Innernet.Benchmarks.dll
OUT=$ROOT/artifacts/bench
RUNS=${BENCH_RUNS:-5}
PEERS=${BENCH_PEERS:-1000,10000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "bench.sh: $*" >&2; exit 1; }

# Inside the VM: run the kernel part in a namespace of its own, so nothing touches the guest's
# initial namespace and our process and wg(8) pay the same (no setns/exec on either side).
if [ "${1:-}" = --in-vm-kernel ]; then
  [ "${KVM_RUN_GUEST:-}" = 1 ] || die "--in-vm-kernel is meant to run inside kvm-run.sh"
  ns=inn$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')-bench
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  ip netns exec "$ns" dotnet "$DLL" kernel --peers "$PEERS" --runs "$RUNS" --out "$2"
  exit 0
fi

vm_accel() { # the same choice kvm-run.sh --accel auto makes
  if grep -qE '\b(vmx|svm)\b' /proc/cpuinfo && [ ! -d /sys/module/kvm_pvm ] && [ -e /dev/kvm ]; then
    echo KVM
  else
    echo TCG
  fi
}

bench_netlink() {
  [ "$(id -u)" = 0 ] || die "the netlink benchmark needs root (namespaces, wireguard-go, VM)"
  [ -f "$DLL" ] || die "missing $DLL (run ./build.sh build)"
  mkdir -p "$OUT"
  rm -f "$OUT"/netlink-*.tsv
  local files=() accel
  LOAD=$(cut -d" " -f1-3 /proc/loadavg)
  echo "==> netlink: UAPI (wireguard-go on the host), $PEERS peers, $RUNS runs" >&2
  dotnet "$DLL" uapi --peers "$PEERS" --runs "$RUNS" --out "$OUT/netlink-uapi.tsv"
  files+=("$OUT/netlink-uapi.tsv")
  if [ "${BENCH_SKIP_KERNEL:-0}" != 1 ]; then
    accel=$(vm_accel)
    echo "==> netlink: kernel module in one VM boot ($accel), $PEERS peers, $RUNS runs" >&2
    BENCH_VM_ACCEL="$accel" tests/harness/kvm-run.sh -m 3G -t "${BENCH_VM_TIMEOUT:-1800}" --rw "$OUT" -- \
      bash tests/harness/bench.sh --in-vm-kernel "$OUT/netlink-kernel.tsv" ||
      die "the kernel benchmark VM run failed"
    files+=("$OUT/netlink-kernel.tsv")
  fi
  dotnet "$DLL" report --doc docs/benchmarks.md \
    --machine "$(nproc) cores (load average before the run: $LOAD), host kernel $(uname -r); kernel rows in a $(vm_accel) VM" "${files[@]}"
}

# Other benchmarks live in their own tests/harness/bench-<what>.sh (e.g. bench-server.sh).
others() {
  local f
  for f in tests/harness/bench-*.sh; do
    [ -f "$f" ] && basename "$f" .sh | sed 's/^bench-//'
  done
  return 0
}

case "${1:-all}" in
  netlink) bench_netlink ;;
  all)
    bench_netlink
    for other in $(others); do
      echo "==> $other benchmark" >&2
      bash "tests/harness/bench-$other.sh"
    done
    ;;
  *)
    [ -f "tests/harness/bench-$1.sh" ] || die "unknown benchmark '$1' (known: netlink $(others | tr '\n' ' ')all)"
    bash "tests/harness/bench-$1.sh" "${@:2}"
    ;;
esac
