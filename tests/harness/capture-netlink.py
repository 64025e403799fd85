#!/usr/bin/python3
"""capture-netlink.py: record what the kernel and wireguard-tools say over Generic Netlink, as test fixtures.

Runs INSIDE the kernel layer's VM (tests/harness/capture-netlink-fixtures.sh starts it there with the wireguard and
nlmon modules): it creates a WireGuard device, configures it with wg(8), and records every Generic Netlink message
between wg(8) and the kernel on an nlmon device while `wg set` and `wg show <if> dump` run. It writes, into the
directory given as its argument:

  set.hex        wg(8)'s WG_CMD_SET_DEVICE request(s) and the kernel's acknowledgements
  show.hex       wg(8)'s family lookup and WG_CMD_GET_DEVICE dump request, and the kernel's replies to both
  show-dump.txt  what `wg show <if> dump` printed for that same dump (the independent reading of it)
  config.txt     the device's configuration as given to wg(8)

Each .hex line is one netlink message: "<k|u> <hex>", k = sent by the kernel, u = sent by user space (wg). Only the
test device exists in the VM: nothing here touches the host.
"""
import os
import socket
import subprocess
import sys

ETH_P_ALL = 0x0003
NETLINK_GENERIC = 16
NLM_F_REQUEST = 0x1
IFACE = "wgfx0"
PEERS = 120  # enough for a dump of several messages, with peers split across them

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def run(*args, stdin=None):
    return subprocess.run(args, check=True, capture_output=True, text=True, input=stdin).stdout


def key():
    return run("wg", "genkey").strip()


def pub(private):
    return run("wg", "pubkey", stdin=private + "\n").strip()


run("ip", "link", "add", "nlmon0", "type", "nlmon")
run("ip", "link", "set", "nlmon0", "up")
run("ip", "link", "add", IFACE, "type", "wireguard")

tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
tap.bind(("nlmon0", 0))
tap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
tap.settimeout(0.5)


def drain():
    """Every Generic Netlink message seen since the last call (a recv with nothing left times out)."""
    lines = []
    while True:
        try:
            data, (_, proto, _, _, _) = tap.recvfrom(1 << 20)
        except socket.timeout:
            return lines
        if proto != NETLINK_GENERIC:
            continue
        # nlmon hands every copy over as outgoing: a request (NLM_F_REQUEST) is wg's, anything else the kernel's.
        flags = int.from_bytes(data[6:8], "little")
        lines.append(("u " if flags & NLM_F_REQUEST else "k ") + data.hex())


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


# The configuration: the device's own fields and peers of every shape (IPv4 and IPv6 endpoints, a preshared key,
# a keepalive, several allowed IPs of both families, none at all).
private = key()
secret_dir = "/tmp/capture-netlink"
os.makedirs(secret_dir, exist_ok=True)
with open(f"{secret_dir}/private", "w") as f:
    f.write(private + "\n")
psk = run("wg", "genpsk").strip()
with open(f"{secret_dir}/psk", "w") as f:
    f.write(psk + "\n")
args = ["wg", "set", IFACE, "private-key", f"{secret_dir}/private", "listen-port", "51820", "fwmark", "0x2a"]
config = [f"private-key {private}", "listen-port 51820", "fwmark 0x2a"]
for i in range(PEERS):
    peer = pub(key())
    peer_args = ["peer", peer]
    if i % 3 == 0:
        peer_args += ["endpoint", f"198.18.{i // 250}.{i % 250 + 1}:{51820 + i}"]
    elif i % 3 == 1:
        peer_args += ["endpoint", f"[fd00:18::{i:x}]:{4000 + i}"]
    if i % 4 == 0:
        peer_args += ["preshared-key", f"{secret_dir}/psk"]
    if i % 5 == 0:
        peer_args += ["persistent-keepalive", "25"]
    if i % 7 != 6:
        allowed = [f"10.{i // 250}.{i % 250}.0/24", f"fd00:{i:x}::/64", f"10.200.{i % 250}.{i // 250}/32"]
        peer_args += ["allowed-ips", ",".join(allowed[: 1 + i % 3])]
    args += peer_args
    config.append(" ".join(a if not a.startswith(secret_dir) else (psk if a.endswith("psk") else private) for a in peer_args))

drain()
run(*args)
write("set.hex", "\n".join(drain()) + "\n")
dump = run("wg", "show", IFACE, "dump")
write("show.hex", "\n".join(drain()) + "\n")
write("show-dump.txt", dump)
write("config.txt", "\n".join(config) + "\n")
print(f"captured: {PEERS} peers into {out}")
