#!/usr/bin/env bash
# Runs inside the VM (started by build.sh through kvm-run.sh): the kernel-layer tests of every
# assembly given, one after another, writing kernel-<name>.xml/.log into RESULTS (a --rw share).
set -uo pipefail
RESULTS=$1; shift
[ "${KVM_RUN_GUEST:-}" = 1 ] || { echo "run-layer-in-vm.sh: meant to run inside kvm-run.sh" >&2; exit 2; }
echo "guest kernel $(uname -r); wireguard module $(cat /sys/module/wireguard/version 2>/dev/null || echo missing)"
mkdir -p /run/wireguard
for dll in "$@"; do
  name=$(basename "$dll" .dll)
  [ -f "$dll" ] || continue
  start=$(date +%s)
  dotnet "$dll" -noColor -noLogo -trait "Layer=kernel" -result-xml "$RESULTS/kernel-$name.xml" \
    > "$RESULTS/kernel-$name.log" 2>&1
  echo "$name: exit $? in $(( $(date +%s) - start ))s"
done
exit 0
