#!/usr/bin/env bash
# bench-aot.sh — the commands as processes, Native AOT (./build.sh publish) against the JIT build (./build.sh build),
# called for `./build.sh bench aot`: `--help` of both commands, and the server's read-only verbs on networks of
# 1,000 and 10,000 peers (written by Innernet.Benchmarks.Server populate, laid out as `innernet-server new` does).
# Each figure: median [min–max] wall time of BENCH_AOT_RUNS (default 20) whole processes, their mean CPU time (user +
# system, GNU time: what the command costs even when a busy machine makes it wait) and their peak RSS (maximum
# resident set size). Prints a markdown table; the load average is printed with it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
RUNS=${BENCH_AOT_RUNS:-20}
SIZES=${BENCH_AOT_SIZES:-1000,10000}
AOT=$ROOT/artifacts/publish/linux-x64
JIT=$ROOT/artifacts/build/bin
POPULATE=$JIT/Innernet.Benchmarks.Server/release/Innernet.Benchmarks.Server.dll
die() { echo "bench-aot.sh: $*" >&2; exit 1; }
[ -x "$AOT/inn" ] && [ -x "$AOT/innernet-server" ] || die "no Native AOT commands in $AOT (./build.sh publish)"
[ -f "$POPULATE" ] || die "missing $POPULATE (./build.sh build)"
[ -x /usr/bin/time ] || die "needs GNU time (/usr/bin/time)"
work=$(mktemp -d /tmp/innernet-bench-aot.XXXXXX); trap 'rm -rf "$work"' EXIT

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

row() { # LABEL PEERS then the command line after the binary path placeholder @
  local label=$1 peers=$2; shift 2
  local aot jit
  aot=$(measure "${@/#@/$AOT/}")
  jit=$(measure "${@/#@/$JIT/}")
  read -r am an ax ar ac <<<"$aot"; read -r jm jn jx jr jc <<<"$jit"
  printf '| %s | %s | %s ms [%s–%s], CPU %s ms, %s MiB | %s ms [%s–%s], CPU %s ms, %s MiB | %.1f× |\n' \
    "$label" "$peers" "$am" "$an" "$ax" "$ac" "$ar" "$jm" "$jn" "$jx" "$jc" "$jr" "$(awk -v a="$am" -v j="$jm" 'BEGIN { print j / a }')"
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
  dotnet "$POPULATE" populate "$net" bench "$size" > /dev/null
  dirs=(-c "$net/etc" -d "$net/lib")
  row '`innernet-server list-peers`' "$size" @innernet-server list-peers bench "${dirs[@]}"
  row '`innernet-server list-cidrs`' "$size" @innernet-server list-cidrs bench "${dirs[@]}"
  row '`innernet-server list-associations`' "$size" @innernet-server list-associations bench "${dirs[@]}"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
