#!/usr/bin/env bash
# capture-netlink-fixtures.sh — regenerate tests/Innernet.Netlink.Tests/Fixtures/kernel/: real Generic Netlink
# traffic between wg(8) and the kernel's WireGuard module, recorded on an nlmon device inside the kernel layer's VM
# (tests/harness/capture-netlink.py says what is recorded). The unit tests decode these messages and check them against
# what wg(8) printed; nothing in CI runs this script (it needs root, qemu and the Debian kernel of ./build.sh setup).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/tests/Innernet.Netlink.Tests/Fixtures/kernel
[ "$(id -u)" = 0 ] || { echo "capture-netlink-fixtures.sh: needs root (qemu, modules)" >&2; exit 1; }
command -v wg >/dev/null || { echo "capture-netlink-fixtures.sh: wg (wireguard-tools) is missing: ./build.sh setup" >&2; exit 1; }
mkdir -p "$OUT"
bash "$ROOT/tests/harness/kvm-run.sh" --modules wireguard,nlmon --rw "$OUT" -- \
  /usr/bin/python3 "$ROOT/tests/harness/capture-netlink.py" "$OUT"
uname_in_vm=$(bash "$ROOT/tests/harness/kvm-run.sh" --modules "" -- uname -r)
echo "$uname_in_vm, $(wg --version | head -1)" > "$OUT/captured-on.txt"
