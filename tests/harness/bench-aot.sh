#!/usr/bin/env bash
# bench-aot.sh — the commands as processes, Native AOT (./build.sh publish) against the JIT build (./build.sh build),
# called for `./build.sh bench aot`: `--help` of both commands, and the server's read-only verbs on networks of
# 1,000 and 10,000 peers (written by Innernet.Benchmarks.Server populate, laid out as `innernet-server new` does).
# Each figure: median [min–max] wall time of BENCH_AOT_RUNS (default 20) whole processes, their mean CPU time (user +
# system, GNU time: what the command costs even when a busy machine makes it wait) and their peak RSS (maximum
# resident set size). Prints a markdown table; the load average is printed with it.
# As root with wireguard-go, also `inn up` with nothing changed at each size: `innernet-server serve` (Native AOT) in
# one namespace, the client `bench-b` (sees every peer) in another joined by a veth pair, its interface already up
# with every peer from a first `inn up`; each timed `inn up` then fetches the state and finds nothing to change.
# In that lab also the server's read-only verbs through its admin socket and the client's read-only verbs `inn show`
# (alias `inn list`) and `inn list-cidrs`, with `wg show` of the same device as the reference for `inn show`.
# Environment: BENCH_AOT_RUNS, BENCH_AOT_SIZES, BENCH_AOT_UP (default true as root; false = no `inn up` rows),
# BENCH_AOT_DIR (where the Native AOT commands are; default artifacts/publish/linux-x64; layout-profile.sh points it at
# wrappers that trace them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
RUNS=${BENCH_AOT_RUNS:-20}
SIZES=${BENCH_AOT_SIZES:-1000,10000}
AOT=${BENCH_AOT_DIR:-$ROOT/artifacts/publish/linux-x64}
JIT=$ROOT/artifacts/build/bin
POPULATE=$JIT/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
die() { echo "bench-aot.sh: $*" >&2; exit 1; }
[ -x "$AOT/inn" ] && [ -x "$AOT/innernet-server" ] || die "no Native AOT commands in $AOT (./build.sh publish)"
[ -f "$POPULATE" ] || die "missing $POPULATE (./build.sh build)"
[ -x /usr/bin/time ] || die "needs GNU time (/usr/bin/time)"
work=$(mktemp -d /tmp/innernet-bench-aot.XXXXXX)
UP=${BENCH_AOT_UP:-$([ "$(id -u)" = 0 ] && command -v wireguard-go >/dev/null && echo true || echo false)}
tag=ba$(printf '%04x' $((RANDOM % 65536)))   # unique names: UAPI sockets in /run/wireguard are machine-wide
NS_S=$tag-s NS_C=$tag-c NET=$tag CLIENT_IF=${tag}c server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  ip netns pids "$NS_C" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "$NS_S" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
  rm -f "/run/wireguard/$NET.sock" "/run/wireguard/$CLIENT_IF.sock"
  rm -rf "$work"
}
trap cleanup EXIT

# measure PROGRAM ARGS… — "median min max peak-rss-MiB mean-cpu-ms" over RUNS processes (output discarded)
measure() {
  local i t0 t1 ms=() rss=0 cpu=0 m u s
  for ((i = 0; i < RUNS; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" > /dev/null 2>&1 || die "failed: $*"
    t1=$(date +%s%N)
    ms+=("$(( (t1 - t0) / 10000 ))")   # hundredths of a millisecond
    read -r m u s < "$work/time"
    (( m > rss )) && rss=$m
    cpu=$(awk -v c="$cpu" -v u="$u" -v s="$s" 'BEGIN { print c + (u + s) * 1000 }')
  done
  printf '%s\n' "${ms[@]}" | sort -n | awk -v r="$rss" -v c="$cpu" -v n="$RUNS" \
    '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f %.1f %.0f\n", v[int((NR + 1) / 2)] / 100, v[1] / 100, v[NR] / 100, r / 1024, c / n }'
}

# ref_row LABEL PEERS COMMAND… — a reference command (no JIT build of it), in the Native AOT column.
ref_row() {
  local label=$1 peers=$2; shift 2
  local am an ax ar ac
  read -r am an ax ar ac <<<"$(measure "$@")"
  printf '| %s | %s | %s ms [%s–%s], CPU %s ms, %s MiB | — | — |\n' "$label" "$peers" "$am" "$an" "$ax" "$ac" "$ar"
}

row() { # LABEL PEERS then the command line after the binary path placeholder @
  local label=$1 peers=$2; shift 2
  local aot jit
  aot=$(measure "${@/#@/$AOT/}")
  jit=$(measure "${@/#@/$JIT/}")
  read -r am an ax ar ac <<<"$aot"; read -r jm jn jx jr jc <<<"$jit"
  printf '| %s | %s | %s ms [%s–%s], CPU %s ms, %s MiB | %s ms [%s–%s], CPU %s ms, %s MiB | %.1f× |\n' \
    "$label" "$peers" "$am" "$an" "$ax" "$ac" "$ar" "$jm" "$jn" "$jx" "$jc" "$jr" "$(awk -v a="$am" -v j="$jm" 'BEGIN { print j / a }')"
}

# up_lab NET_DIR: the server of the network in NET_DIR serving in its namespace, the client's interface up with every
# peer (a first `inn up`, retried until the server answers); then `inn up` has nothing left to change.
up_lab() {
  local net=$1 i
  ip netns add "$NS_S"; ip netns add "$NS_C"
  ip link add "$tag-a" netns "$NS_S" type veth peer name "$tag-b" netns "$NS_C"
  ip -n "$NS_S" addr add 198.18.0.1/24 dev "$tag-a"; ip -n "$NS_C" addr add 198.18.0.2/24 dev "$tag-b"
  for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_S" link set "$tag-a" up; ip -n "$NS_C" link set "$tag-b" up
  mkdir -p /run/wireguard "$net/cdata"
  mv "$net/client/$NET.conf" "$net/client/$CLIENT_IF.conf"
  ip netns exec "$NS_S" "$AOT/innernet-server" -c "$net/etc" -d "$net/lib" --backend userspace serve "$NET" \
    > "$net/serve.log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 120; i++)); do
    ip netns exec "$NS_C" "$AOT/inn" -c "$net/client" -d "$net/cdata" --backend userspace up "$CLIENT_IF" --no-write-hosts \
      > "$net/first-up.log" 2>&1 && return 0
    sleep 0.5
  done
  cat "$net/serve.log" "$net/first-up.log" >&2
  die "the client never came up against the server"
}

up_lab_down() {
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=
  ip netns pids "$NS_C" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "$NS_S" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true; ip netns del "$NS_S" 2>/dev/null || true
  rm -f "/run/wireguard/$NET.sock" "/run/wireguard/$CLIENT_IF.sock"
}

# The JIT build's commands have the same names under their project directories.
mkdir -p "$work/jit"
ln -s "$JIT/Innernet.Client.Cli/release/inn" "$work/jit/inn"
ln -s "$JIT/Innernet.Server.Cli/release/innernet-server" "$work/jit/innernet-server"
JIT=$work/jit

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (before), $RUNS runs per figure"
echo
echo "| command | peers | Native AOT | JIT (dotnet build) | JIT / AOT |"
echo "| --- | ---: | --- | --- | ---: |"
row '`inn --help`' — @inn --help
row '`innernet-server --help`' — @innernet-server --help
for size in ${SIZES//,/ }; do
  net=$work/n$size
  dotnet "$POPULATE" populate "$net" "$NET" "$size" > /dev/null
  dirs=(-c "$net/etc" -d "$net/lib")
  row '`innernet-server list-peers`' "$size" @innernet-server list-peers "$NET" "${dirs[@]}"
  row '`innernet-server list-cidrs`' "$size" @innernet-server list-cidrs "$NET" "${dirs[@]}"
  row '`innernet-server list-associations`' "$size" @innernet-server list-associations "$NET" "${dirs[@]}"
  if [ "$UP" = true ]; then
    up_lab "$net"
    row '`inn up`, nothing changed' "$size" ip netns exec "$NS_C" @inn -c "$net/client" -d "$net/cdata" --backend userspace \
      up "$CLIENT_IF" --no-write-hosts
    # innernet 1.7.1's figure had no NAT candidates to try; ours has (every 3rd peer has two, and no peer answers).
    row '`inn up`, nothing changed, `--no-nat-traversal`' "$size" ip netns exec "$NS_C" @inn -c "$net/client" -d "$net/cdata" \
      --backend userspace up "$CLIENT_IF" --no-write-hosts --no-nat-traversal
    # The same read-only verbs while the server runs: through its admin socket, not the database.
    row '`innernet-server list-peers`, server running' "$size" @innernet-server list-peers "$NET" "${dirs[@]}"
    row '`innernet-server list-cidrs`, server running' "$size" @innernet-server list-cidrs "$NET" "${dirs[@]}"
    row '`innernet-server list-associations`, server running' "$size" @innernet-server list-associations "$NET" "${dirs[@]}"
    # The client's read-only verbs: the local peer cache (and, for `show`, the device); `inn list` is `show`'s alias.
    cdirs=(-c "$net/client" -d "$net/cdata" --backend userspace)
    row '`inn show`' "$size" ip netns exec "$NS_C" @inn "${cdirs[@]}" show "$CLIENT_IF"
    # The reference for `inn show`: wireguard-tools reading the same wireguard-go device over UAPI and printing it.
    command -v wg > /dev/null && ref_row '`wg show` (wireguard-tools, reference)' "$size" ip netns exec "$NS_C" wg show "$CLIENT_IF"
    row '`inn list-cidrs`' "$size" ip netns exec "$NS_C" @inn "${cdirs[@]}" list-cidrs "$CLIENT_IF"
    echo "| server peak RSS (VmHWM) after these requests | $size | $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' \
      "/proc/$server_pid/status") | | |"
    up_lab_down
  fi
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
