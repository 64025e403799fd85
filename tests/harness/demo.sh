#!/usr/bin/env bash
# demo.sh — a whole innernet network in network namespaces, driven only through the two commands
# (innernet-server and inn), as a user would script them. Called by `./build.sh demo` after setup+build.
#
#   server   innernet-server new/add-cidr/add-peer, then serve (in its own namespace)
#   admin    humans  (admin)   — adds the CIDR robots, invites robot, associates humans<->robots
#   alice    humans
#   robot    robots
#
# Underlay: a bridge in the server's namespace, 198.18.0.0/24; nothing in the root namespace, no default
# route. Overlay: 10.66.0.0/16. Every name carries a random prefix (inn + 6 hex): UAPI sockets of
# wireguard-go are shared machine-wide in /run/wireguard. Everything is removed on exit, also on Ctrl-C.
#
# Environment: INNERNET_SERVER, INN (binaries; default: the Release build), BACKEND (default auto).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVER_BIN=${INNERNET_SERVER:-$ROOT/artifacts/build/bin/Innernet.Server.Cli/release/innernet-server}
INN_BIN=${INN:-$ROOT/artifacts/build/bin/Innernet.Client.Cli/release/inn}
BACKEND=${BACKEND:-auto}
[ -x "$SERVER_BIN" ] && [ -x "$INN_BIN" ] || { echo "demo: build first (./build.sh build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }

P=inn$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
WORK=/tmp/$P
NET=$P                                # network name = the server's interface name
PEERS=(admin alice robot)
declare -A IFACE=([admin]=${P}a [alice]=${P}b [robot]=${P}r)
declare -A UNDERLAY=([server]=198.18.0.1 [admin]=198.18.0.2 [alice]=198.18.0.3 [robot]=198.18.0.4)
declare -A OVERLAY=([server]=10.66.0.1)
SERVER_PID=
START=$(date +%s.%N)

ns() { echo "$P-$1"; }
elapsed() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", n - s }'; }
if [ -t 1 ]; then BOLD=$'\e[1m' GREEN=$'\e[32m' RED=$'\e[31m' PLAIN=$'\e[0m'; else BOLD= GREEN= RED= PLAIN=; fi
section() { printf '\n%s== %s%s  (%s)\n' "$BOLD" "$1" "$PLAIN" "$(elapsed)"; }
step() { printf '   %s\n' "$*"; }
sdirs() { echo -c "$WORK/server/etc" -d "$WORK/server/lib"; }
# inn_in PEER ARGS... — the client command inside PEER's namespace, with PEER's own config/data dirs
inn_in() {
  local who=$1; shift
  ip netns exec "$(ns "$who")" "$INN_BIN" -c "$WORK/$who/etc" -d "$WORK/$who/lib" --backend "$BACKEND" "$@"
}

# ------------------------------------------------------------------------------------------------
cleanup() {
  local rc=$? n pids sock left=0
  trap - EXIT INT TERM
  set +e
  printf '\n%s== teardown%s\n' "$BOLD" "$PLAIN"
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  # whatever still runs in our namespaces (wireguard-go started by the commands, a stuck inn): TERM, then KILL
  for n in server "${PEERS[@]}"; do
    pids=$(ip netns pids "$(ns "$n")" 2>/dev/null)
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
  done
  for _ in $(seq 30); do
    left=0
    for n in server "${PEERS[@]}"; do [ -n "$(ip netns pids "$(ns "$n")" 2>/dev/null)" ] && left=1; done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for n in server "${PEERS[@]}"; do
    pids=$(ip netns pids "$(ns "$n")" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  done
  for sock in "/run/wireguard/$NET.sock" "/run/wireguard/${IFACE[admin]}.sock" \
              "/run/wireguard/${IFACE[alice]}.sock" "/run/wireguard/${IFACE[robot]}.sock"; do
    rm -f "$sock"
  done
  for n in server "${PEERS[@]}"; do ip netns del "$(ns "$n")" 2>/dev/null; done
  rm -rf "$WORK"
  # verify
  left=$(( $(ip netns list | grep -c "^$P-") + $(ls /run/wireguard 2>/dev/null | grep -c "^$P") ))
  if [ "$left" = 0 ]; then
    step "namespaces, processes, sockets and files of $P removed"
  else
    step "WARNING: $left leftovers of $P (ip netns list; ls /run/wireguard)"; rc=1
  fi
  printf '   done in %s\n' "$(elapsed)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------------------------------
section "underlay: namespaces $P-{server,admin,alice,robot} on a 198.18.0.0/24 bridge"
mkdir -m 0700 "$WORK"
echo $$ > "$WORK/owner.pid"           # build.sh's leftover sweep leaves a live owner's names alone
for n in server "${PEERS[@]}"; do
  ip netns add "$(ns "$n")"
  ip -n "$(ns "$n")" link set lo up
  mkdir -p -m 0700 "$WORK/$n"
done
ip -n "$(ns server)" link add br0 type bridge
ip -n "$(ns server)" link set br0 up
ip -n "$(ns server)" addr add "${UNDERLAY[server]}/24" dev br0
i=0
for n in "${PEERS[@]}"; do
  i=$((i + 1))
  # both ends placed at creation: nothing ever exists in the root namespace
  ip link add "${P}v$i" netns "$(ns server)" type veth peer name eth0 netns "$(ns "$n")"
  ip -n "$(ns server)" link set "${P}v$i" master br0 up
  ip -n "$(ns "$n")" addr add "${UNDERLAY[$n]}/24" dev eth0
  ip -n "$(ns "$n")" link set eth0 up
  step "$(printf '%-7s %-12s eth0' "$n" "${UNDERLAY[$n]}")"
done
step "server  ${UNDERLAY[server]}   br0 (no default route anywhere)"

# ------------------------------------------------------------------------------------------------
section "server: innernet-server new / add-cidr / add-peer / serve"
run_server() { step "\$ innernet-server $*"; "$SERVER_BIN" $(sdirs) "$@" | sed 's/^/     /'; }
run_server new --network-name "$NET" --network-cidr 10.66.0.0/16 \
  --external-endpoint "${UNDERLAY[server]}:51820" --listen-port 51820
run_server add-cidr "$NET" --name humans --cidr 10.66.1.0/24 --parent "$NET" --yes
run_server add-peer "$NET" --name admin --cidr humans --admin true --auto-ip --invite-expires 1h \
  --save-config "$WORK/admin.toml" --yes
run_server add-peer "$NET" --name alice --cidr humans --admin false --auto-ip --invite-expires 1h \
  --save-config "$WORK/alice.toml" --yes
step "\$ innernet-server serve $NET --backend $BACKEND   (in $(ns server), background)"
ip netns exec "$(ns server)" "$SERVER_BIN" $(sdirs) serve "$NET" --backend "$BACKEND" --no-write-hosts \
  > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  [ -S "$WORK/server/lib/$NET.sock" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "demo: serve exited" >&2; exit 1; }
  sleep 0.1
done
[ -S "$WORK/server/lib/$NET.sock" ] || { cat "$WORK/server.log" >&2; echo "demo: serve did not come up in 30 s" >&2; exit 1; }
if [ -S "/run/wireguard/$NET.sock" ]; then
  USED="userspace (wireguard-go)"
else
  USED="kernel"
fi
step "serving; WireGuard backend used: $USED (--backend $BACKEND)"

# ------------------------------------------------------------------------------------------------
section "peers: inn install (admin and alice in parallel)"
install_peer() { # PEER — redeems $WORK/PEER.toml inside PEER's namespace
  local who=$1
  if inn_in "$who" install "$WORK/$who.toml" --name "${IFACE[$who]}" -d --no-write-hosts > "$WORK/$who.install.log" 2>&1; then
    step "$(printf '%-6s installed as %s' "$who" "${IFACE[$who]}")"
  else
    sed 's/^/     /' "$WORK/$who.install.log" >&2
    return 1
  fi
}
install_peer admin & a=$!
install_peer alice & b=$!
wait $a; wait $b

section "admin: inn add-cidr robots, inn add-peer robot; robot installs"
step "\$ inn add-cidr ${IFACE[admin]} --name robots --cidr 10.66.2.0/24 --parent $NET --yes"
inn_in admin add-cidr "${IFACE[admin]}" --name robots --cidr 10.66.2.0/24 --parent "$NET" --yes | sed 's/^/     /'
step "\$ inn add-peer ${IFACE[admin]} --name robot --cidr robots --admin false --auto-ip ..."
inn_in admin add-peer "${IFACE[admin]}" --name robot --cidr robots --admin false --auto-ip \
  --invite-expires 1h --save-config "$WORK/robot.toml" --yes | sed 's/^/     /'
install_peer robot
for n in "${PEERS[@]}"; do
  OVERLAY[$n]=$(ip -n "$(ns "$n")" -4 -o addr show dev "${IFACE[$n]}" | awk '{print $4}' | cut -d/ -f1)
done
fetch_all() {
  local n pids=()
  for n in "${PEERS[@]}"; do
    inn_in "$n" fetch "${IFACE[$n]}" --no-write-hosts > "$WORK/$n.fetch.log" 2>&1 & pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n"; done
}
fetch_all

section "inn list --tree (from admin)"
inn_in admin list "${IFACE[admin]}" --tree | sed 's/^/   /'

# ping_matrix — rows: from, columns: to; every probe runs at once, a probe every 0.5 s for up to 7 s (a peer
# whose endpoint arrived with the last fetch answers on WireGuard's next 5 s handshake retry)
ping_matrix() {
  local all=(server "${PEERS[@]}") from to pids=() pid
  for from in "${all[@]}"; do
    for to in "${all[@]}"; do
      [ "$from" = "$to" ] && continue
      ( if ip netns exec "$(ns "$from")" ping -n -c1 -i0.5 -w7 "${OVERLAY[$to]}" >/dev/null 2>&1; then
          echo ok > "$WORK/ping.$from.$to"; else echo no > "$WORK/ping.$from.$to"; fi ) & pids+=($!)
    done
  done
  for pid in "${pids[@]}"; do wait "$pid"; done   # not a bare wait: serve runs in the background too
  printf '   %-22s' 'from \ to'
  for to in "${all[@]}"; do printf '%-8s' "$to"; done
  printf '\n'
  for from in "${all[@]}"; do
    printf '   %-22s' "$from ${OVERLAY[$from]}"
    for to in "${all[@]}"; do
      if [ "$from" = "$to" ]; then printf '%s       ' "·"
      elif [ "$(cat "$WORK/ping.$from.$to")" = ok ]; then printf '%s%s%s       ' "$GREEN" "✓" "$PLAIN"
      else printf '%s%s%s       ' "$RED" "✗" "$PLAIN"; fi
    done
    printf '\n'
  done
}

section "ping matrix BEFORE the association (humans and robots do not see each other)"
ping_matrix

section "admin: inn add-association humans robots; every client runs inn fetch"
step "\$ inn add-association ${IFACE[admin]} humans robots"
inn_in admin add-association "${IFACE[admin]}" humans robots | sed 's/^/     /'
fetch_all
step "fetched on ${PEERS[*]}"

section "ping matrix AFTER the association"
ping_matrix

section "inn show --short (from robot)"
inn_in robot show "${IFACE[robot]}" --short | sed 's/^/   /'
