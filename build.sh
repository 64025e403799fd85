#!/usr/bin/env bash
# Innernet for .NET — one entry point for developers and CI.
#
#   ./build.sh setup          install what tests, benchmarks and the demo need (apt-get; root; idempotent)
#   ./build.sh build          Release build; commands land in artifacts/bin/ (innernet-server, inn, innernet)
#   ./build.sh publish [RID…] Native AOT commands in artifacts/publish/RID/ (default linux-x64; also linux-arm64)
#   ./build.sh package [RID…] .deb packages innernet-server and innernet into artifacts/packages/deb/ (lintian-clean)
#   ./build.sh test [layer]   unit, host and kernel layers (all by default); ends with "N passed, N failed"
#   ./build.sh bench [what]   benchmarks (netlink, server, live [clients], aot, durability, core; all by default)
#   ./build.sh layout         re-profile the hot-first method order of the Native AOT commands (src/Publish/*.order; root)
#   ./build.sh fuzz [TARGET [SECONDS]]  coverage-guided fuzzing (AFL++, SharpFuzz); no TARGET lists the targets
#   ./build.sh pack           NuGet package of Innernet.Netlink into artifacts/packages/
#   ./build.sh docs           regenerate the API reference of Innernet.Netlink (docfx) into docs/reference/netlink/
#   ./build.sh demo           a whole innernet network in namespaces (see README)
#
# Environment: CI=true turns every missing prerequisite of a privileged layer into a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
ARTIFACTS=$ROOT/artifacts
BIN=$ARTIFACTS/build/bin
RESULTS=$ARTIFACTS/test-results
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

is_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }
is_root() { [ "$(id -u)" = 0 ]; }
log() { echo "==> $*" >&2; }
die() { echo "build.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# setup: Debian packages for the host layer (wireguard-go, iproute2, nftables, ping, PostgreSQL) and for the
# kernel layer (qemu, a Debian kernel with the wireguard module, and what the VM harness needs).
# ---------------------------------------------------------------------------------------------
APT_PACKAGES=(wireguard-go wireguard-tools iproute2 iputils-ping nftables procps postgresql
  qemu-system-x86 busybox kmod cpio xz-utils zstd linux-image-6.12-rt-amd64
  clang lld llvm lintian libc6-dev-arm64-cross libgcc-12-dev-arm64-cross)

setup_missing() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[@]}"
}

cmd_setup() {
  is_root || die "setup installs Debian packages and needs root"
  command -v dpkg-query >/dev/null || die "setup needs a Debian-based system (dpkg/apt-get)"
  local missing
  missing=$(setup_missing)
  if [ -n "$missing" ]; then
    log "installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  mkdir -p /run/wireguard
}

# ---------------------------------------------------------------------------------------------
cmd_build() {
  log "dotnet build -c Release"
  mkdir -p "$ARTIFACTS"
  if ! dotnet build Innernet.sln -c Release -nologo -v:quiet > "$ARTIFACTS/build.log" 2>&1; then
    grep -E 'error|warning' "$ARTIFACTS/build.log" | sort -u >&2 || cat "$ARTIFACTS/build.log" >&2
    die "build failed (full log: artifacts/build.log)"
  fi
  mkdir -p "$ARTIFACTS/bin"
  ln -sfn ../build/bin/Innernet.Server.Cli/release/innernet-server "$ARTIFACTS/bin/innernet-server"
  ln -sfn ../build/bin/Innernet.Client.Cli/release/inn "$ARTIFACTS/bin/inn"
  ln -sfn inn "$ARTIFACTS/bin/innernet"
}

# ---------------------------------------------------------------------------------------------
# publish: Native AOT (src/Publish/NativeAot.props), one self-contained executable per command, no .NET runtime
# needed where they run. Trim/AOT warnings are errors. Native debug symbols go to RID/symbols/.
# ---------------------------------------------------------------------------------------------
PUBLISH=$ARTIFACTS/publish
PUBLISHED_PROJECTS=(Innernet.Server.Cli:innernet-server Innernet.Client.Cli:inn)

# Native AOT links with clang (zlib comes with the runtime pack: no zlib1g-dev needed).
publish_prereq() { # prints a reason when Native AOT cannot link here
  command -v clang >/dev/null || { echo "clang missing (./build.sh setup)"; return; }
}

# cross_args RID: linking for another architecture goes through lld (no cross binutils needed) against the Debian
# cross sysroot (libc6-dev-arm64-cross, libgcc-12-dev-arm64-cross: ./build.sh setup installs them).
cross_args() {
  [ "$1" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ] && echo "-p:LinkerFlavor=lld"
  return 0
}

cmd_publish() {
  local rids=("$@") rid entry project name out start reason
  [ ${#rids[@]} -gt 0 ] || rids=(linux-x64)
  reason=$(publish_prereq)
  [ -z "$reason" ] || die "publish: $reason"
  for rid in "${rids[@]}"; do
    case "$rid" in linux-x64|linux-arm64) ;; *) die "publish: unsupported RID '$rid' (linux-x64, linux-arm64)" ;; esac
    out=$PUBLISH/$rid
    rm -rf "$out"; mkdir -p "$out/symbols"
    for entry in "${PUBLISHED_PROJECTS[@]}"; do
      project=${entry%%:*} name=${entry#*:}
      start=$(date +%s)
      log "dotnet publish $project -r $rid (Native AOT)"
      if ! dotnet publish "src/$project" -c Release -r "$rid" -nologo -v:quiet -o "$ARTIFACTS/publish-obj/$rid/$project" \
          $(cross_args "$rid") > "$ARTIFACTS/publish-$rid-$name.log" 2>&1; then
        grep -E 'error|warning' "$ARTIFACTS/publish-$rid-$name.log" | sort -u >&2 || true
        die "publish of $project for $rid failed (full log: artifacts/publish-$rid-$name.log)"
      fi
      cp "$ARTIFACTS/publish-obj/$rid/$project/$name" "$out/$name"
      cp "$ARTIFACTS/publish-obj/$rid/$project/$name.dbg" "$out/symbols/" 2>/dev/null || true
      log "$rid/$name: $(( $(date +%s) - start ))s, $(( $(stat -c %s "$out/$name") / 1024 / 1024 )) MiB"
    done
    ln -sfn inn "$out/innernet"
  done
}

DEBS=$ARTIFACTS/packages/deb

# package_published RID…: the .deb packages of commands already published (packaging/deb.sh)
package_published() {
  local rid
  for rid in "$@"; do
    log "Debian packages for $rid"
    bash packaging/deb.sh "$rid" "$DEBS" || die "packaging for $rid failed"
  done
}

cmd_package() {
  local rids=("$@")
  [ ${#rids[@]} -gt 0 ] || rids=(linux-x64)
  command -v dpkg-deb >/dev/null || die "package needs dpkg-deb (Debian)"
  cmd_publish "${rids[@]}"
  rm -rf "$DEBS"
  package_published "${rids[@]}"
}

# ---------------------------------------------------------------------------------------------
# test: every test project is an xunit v3 executable; layers are selected by the "Layer" trait
# (none = unit, host, kernel). Results are xunit XML files in artifacts/test-results/.
# ---------------------------------------------------------------------------------------------
test_assemblies() {
  local proj name
  for proj in tests/*/*.csproj; do
    name=$(basename "$proj" .csproj)
    case "$name" in *Tests) echo "$BIN/$name/release/$name.dll" ;; esac
  done
}

# run_assembly LAYER DLL FILTER... — runs one assembly, writes LAYER-NAME.xml and .log
run_assembly() {
  local layer=$1 dll=$2; shift 2
  local name; name=$(basename "$dll" .dll)
  local xml=$RESULTS/$layer-$name.xml logf=$RESULTS/$layer-$name.log
  [ -f "$dll" ] || { echo "missing test assembly $dll" > "$logf"; return 0; }
  dotnet "$dll" -noColor -noLogo "$@" -result-xml "$xml" > "$logf" 2>&1 || true
}

# sum_layer LAYER — prints "passed failed skipped" summed over LAYER-*.xml; a log without xml is a failure
sum_layer() {
  local layer=$1 p=0 f=0 s=0 logf xml a
  for logf in "$RESULTS/$layer"-*.log; do
    [ -e "$logf" ] || continue
    xml=${logf%.log}.xml
    if [ ! -s "$xml" ] || ! grep -q '<assembly ' "$xml"; then f=$((f + 1)); continue; fi
    a=$(grep -o '<assembly [^>]*>' "$xml")
    p=$((p + $(attr "$a" passed)))
    f=$((f + $(attr "$a" failed) + $(attr "$a" errors)))
    s=$((s + $(attr "$a" skipped)))
  done
  echo "$p $f $s"
}
attr() { local v; v=$(grep -o " $2=\"[0-9]*\"" <<<"$1" | head -1 | tr -dc '0-9'); echo "${v:-0}"; }

show_failures() {
  local layer=$1 logf xml
  for logf in "$RESULTS/$layer"-*.log; do
    [ -e "$logf" ] || continue
    xml=${logf%.log}.xml
    if [ ! -s "$xml" ] || grep -qE 'failed="[1-9]|errors="[1-9]' "$xml"; then
      echo "---- $(basename "$logf") ----" >&2
      tail -n 300 "$logf" >&2
    fi
  done
}

layer_line() { # LAYER "p f s" [note]
  local layer=$1 p f s; read -r p f s <<<"$2"
  local line="$layer: $p passed, $f failed"
  [ "$s" -gt 0 ] && line+=", $s skipped"
  [ -n "${3:-}" ] && line+=" ($3)"
  echo "$line"
}

TOTAL_P=0 TOTAL_F=0 TOTAL_S=0
add_total() { local p f s; read -r p f s <<<"$1"; TOTAL_P=$((TOTAL_P + p)); TOTAL_F=$((TOTAL_F + f)); TOTAL_S=$((TOTAL_S + s)); }

test_unit() {
  local dll
  for dll in $(test_assemblies); do
    run_assembly unit "$dll" -trait- "Layer=host" -trait- "Layer=kernel"
  done
}

test_host() {
  local dll start
  start=$(date +%s)
  for dll in $(test_assemblies); do
    run_assembly host "$dll" -trait "Layer=host"
  done
  cleanup_leftovers
  log "host layer: $(( $(date +%s) - start ))s"
}

# Remove namespaces and sockets left by a crashed run (tests clean up after themselves; this is the
# safety net). Only names with the suite's own prefix (inn + 6 hex) are touched, and only when the
# lab's owner process (/tmp/<prefix>/owner.pid, written by NetnsLab) is gone, so a test run in
# progress elsewhere on the machine is left alone.
cleanup_leftovers() {
  is_root || return 0
  local ns prefix owner sock
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^inn[0-9a-f]{6}' || true); do
    prefix=${ns:0:9}
    owner=$(cat "/tmp/$prefix/owner.pid" 2>/dev/null || true)
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then continue; fi
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    sleep 0.2
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    for sock in /run/wireguard/"$prefix"*.sock; do
      if [ -S "$sock" ]; then rm -f "$sock"; fi
    done
    rm -rf "/tmp/$prefix"
  done
}

kernel_prereq() { # prints a reason when the kernel layer cannot run here
  is_root || { echo "needs root to boot the VM"; return; }
  command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 missing (./build.sh setup)"; return; }
  ls /lib/modules/*/kernel/drivers/net/wireguard/wireguard.ko* >/dev/null 2>&1 ||
    { echo "no Debian kernel with the wireguard module (./build.sh setup)"; return; }
}

# Assemblies that contain kernel-layer tests (listed on the host: each dotnet start costs seconds under TCG).
kernel_assemblies() {
  local dll
  for dll in $(test_assemblies); do
    [ -f "$dll" ] || continue
    # one fully qualified class name per line after the runner's banner
    dotnet "$dll" -noColor -list classes -trait "Layer=kernel" 2>/dev/null |
      grep -qE '^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$' && echo "$dll"
  done
  return 0
}

test_kernel() {
  # One VM boot for the whole layer: every assembly's kernel-trait tests run inside it.
  local vmlog=$RESULTS/vm-kernel-layer.log rc=0 dlls start
  dlls=$(kernel_assemblies)
  [ -n "$dlls" ] || return 0
  start=$(date +%s)
  # shellcheck disable=SC2086
  tests/harness/kvm-run.sh -m 3G -t "${KERNEL_LAYER_TIMEOUT:-1500}" --rw "$RESULTS" \
    -- bash tests/harness/run-layer-in-vm.sh "$RESULTS" $dlls > "$vmlog" 2>&1 || rc=$?
  log "kernel layer VM run: $(( $(date +%s) - start ))s (exit $rc)"
  if [ "$rc" != 0 ]; then
    echo "kernel layer: the VM run exited with $rc; see $vmlog" >&2
    tail -n 60 "$vmlog" >&2
    # an assembly that never reported counts as failed (its .log exists without .xml)
    [ -n "$(ls "$RESULTS"/kernel-*.xml 2>/dev/null)" ] || echo "VM failed before any test ran" > "$RESULTS/kernel-harness.log"
  fi
}

# use_published: every layer (and the demo) drives the Native AOT commands, as a user gets them; the test
# assemblies find them through these variables (tests/Innernet.Testing/Networks/InnernetBinaries.cs), and the
# kernel layer's VM inherits them (kvm-run.sh forwards the environment).
use_published() {
  cmd_publish linux-x64
  rm -rf "$DEBS"
  package_published linux-x64
  export INNERNET_DEB_DIR=$DEBS
  export INNERNET_SERVER_BINARY=$PUBLISH/linux-x64/innernet-server INN_BINARY=$PUBLISH/linux-x64/inn
  export INNERNET_SERVER=$INNERNET_SERVER_BINARY INN=$INN_BINARY
}

cmd_test() {
  local want=${1:-all}
  is_root && cmd_setup
  cmd_build
  use_published
  rm -rf "$RESULTS"; mkdir -p "$RESULTS"
  local lines=() sums reason

  if [ "$want" = all ] || [ "$want" = unit ]; then
    log "unit layer"
    test_unit
    sums=$(sum_layer unit); add_total "$sums"; lines+=("$(layer_line unit "$sums")")
    show_failures unit
  fi

  if [ "$want" = all ] || [ "$want" = host ]; then
    if is_root; then
      log "host layer (network namespaces, rtnetlink, wireguard-go)"
      test_host
      sums=$(sum_layer host); add_total "$sums"; lines+=("$(layer_line host "$sums")")
      show_failures host
    elif is_ci; then
      TOTAL_F=$((TOTAL_F + 1)); lines+=("host: 0 passed, 1 failed (needs root; CI=true makes this a failure)")
    else
      lines+=("host: 0 passed, 0 failed (not run: needs root)")
    fi
  fi

  if [ "$want" = all ] || [ "$want" = kernel ]; then
    reason=$(kernel_prereq)
    if [ -z "$reason" ]; then
      log "kernel layer (kernel WireGuard inside a throw-away VM)"
      test_kernel
      sums=$(sum_layer kernel); add_total "$sums"; lines+=("$(layer_line kernel "$sums")")
      show_failures kernel
    elif is_ci; then
      TOTAL_F=$((TOTAL_F + 1)); lines+=("kernel: 0 passed, 1 failed ($reason; CI=true makes this a failure)")
    else
      lines+=("kernel: 0 passed, 0 failed (not run: $reason)")
    fi
  fi

  printf '%s\n' "${lines[@]}"
  local total="$TOTAL_P passed, $TOTAL_F failed"
  [ "$TOTAL_S" -gt 0 ] && total+=", $TOTAL_S skipped"
  echo "$total"
  [ "$TOTAL_F" = 0 ]
}

# ---------------------------------------------------------------------------------------------
cmd_bench() {
  local what=${1:-all}
  cmd_build
  # the Native AOT commands too: bench-aot.sh compares them with the JIT build, bench-live.sh runs its daemons on them
  case "$what" in all|aot|live) cmd_publish linux-x64 ;; esac
  [ -x tests/harness/bench.sh ] || die "no benchmarks yet"
  bash tests/harness/bench.sh "$what" "${@:2}"
}

# ---------------------------------------------------------------------------------------------
# fuzz: AFL++ drives tests/Innernet.Fuzz (one entry per target) after SharpFuzz instrumented our
# assemblies and Tomlyn. Seeds are the target's golden inputs plus its regression fixtures plus the
# corpus of earlier runs (artifacts/fuzz/TARGET/corpus); crashes and hangs are copied to
# artifacts/fuzz/TARGET/findings, to be added under tests/Innernet.Fuzz.Tests/Fixtures/TARGET/.
# ---------------------------------------------------------------------------------------------
FUZZ_APT_PACKAGES=(afl++)
FUZZ_INSTRUMENTED=(Innernet.Core.dll Innernet.Netlink.dll Tomlyn.dll)

fuzz_build() {
  dotnet build tests/Innernet.Fuzz -c Release -nologo -v:quiet > "$ARTIFACTS/fuzz-build.log" 2>&1 ||
    { cat "$ARTIFACTS/fuzz-build.log" >&2; die "building tests/Innernet.Fuzz failed"; }
}

cmd_fuzz() {
  local target=${1:-} seconds=${2:-60} fuzzbin=$BIN/Innernet.Fuzz/release
  mkdir -p "$ARTIFACTS"
  fuzz_build
  if [ -z "$target" ]; then
    echo "usage: ./build.sh fuzz TARGET [SECONDS]   (default 60 s); targets:"
    dotnet "$fuzzbin/Innernet.Fuzz.dll" list
    return 0
  fi
  dotnet "$fuzzbin/Innernet.Fuzz.dll" list | awk '{print $1}' | grep -qx -- "$target" ||
    die "no fuzz target '$target' (./build.sh fuzz lists them)"
  [[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, not '$seconds'"

  if ! command -v afl-fuzz >/dev/null; then
    is_root || die "fuzz needs afl-fuzz (Debian package afl++); run as root to install it"
    log "installing: ${FUZZ_APT_PACKAGES[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${FUZZ_APT_PACKAGES[@]}" >/dev/null
  fi
  local tools=$ARTIFACTS/tools version
  version=$(grep -o 'Include="SharpFuzz" Version="[^"]*"' Directory.Packages.props | grep -o '[0-9][0-9.]*')
  if [ ! -x "$tools/sharpfuzz" ]; then
    log "installing the SharpFuzz.CommandLine $version dotnet tool into artifacts/tools"
    dotnet tool install SharpFuzz.CommandLine --version "$version" --tool-path "$tools" >/dev/null
  fi

  local work=$ARTIFACTS/fuzz/$target a f
  rm -rf "$work/bin" "$work/out" "$work/in"
  mkdir -p "$work/corpus" "$work/findings" "$work/in"
  cp -r "$fuzzbin" "$work/bin"
  for a in "${FUZZ_INSTRUMENTED[@]}"; do "$tools/sharpfuzz" "$work/bin/$a" >/dev/null; done
  # dict and seeds run the uninstrumented build: instrumented code only runs under afl-fuzz.
  dotnet "$fuzzbin/Innernet.Fuzz.dll" dict "$target" > "$work/dictionary"
  dotnet "$fuzzbin/Innernet.Fuzz.dll" seeds "$target" "$work/in"
  [ -d "tests/Innernet.Fuzz.Tests/Fixtures/$target" ] && cp "tests/Innernet.Fuzz.Tests/Fixtures/$target"/* "$work/in/"
  cp "$work/corpus"/* "$work/in/" 2>/dev/null || true

  log "afl-fuzz $target for ${seconds}s (log: artifacts/fuzz/$target/afl.log)"
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    afl-fuzz -i "$work/in" -o "$work/out" -x "$work/dictionary" -t 2000 -m none -V "$seconds" \
    -- dotnet "$work/bin/Innernet.Fuzz.dll" afl "$target" > "$work/afl.log" 2>&1 ||
    { tail -n 40 "$work/afl.log" >&2; die "afl-fuzz failed (see artifacts/fuzz/$target/afl.log)"; }

  local stats=$work/out/default/fuzzer_stats crashes=0
  for f in "$work/out/default/queue"/id:*; do
    [ -f "$f" ] && cp "$f" "$work/corpus/$(basename "$f" | cut -c1-9 | tr ':' '-')-$(sha1sum "$f" | cut -c1-12)"
  done
  for f in "$work/out/default/crashes"/id:* "$work/out/default/hangs"/id:*; do
    [ -f "$f" ] || continue
    crashes=$((crashes + 1)); cp "$f" "$work/findings/$(sha1sum "$f" | cut -c1-16)"
  done
  stat_of() { awk -v k="$1" '$1 == k {print $3}' "$stats"; }
  echo "$target: $(stat_of execs_done) inputs in $(stat_of run_time) s ($(stat_of execs_per_sec) inputs/s)," \
    "$(stat_of edges_found) edges, $(stat_of corpus_count) corpus entries," \
    "$(stat_of saved_crashes) crashes, $(stat_of saved_hangs) hangs"
  if [ "$crashes" -gt 0 ]; then
    echo "findings in artifacts/fuzz/$target/findings; replay: dotnet $fuzzbin/Innernet.Fuzz.dll replay $target FILE..."
    return 1
  fi
}

cmd_pack() {
  mkdir -p "$ARTIFACTS/packages"
  dotnet pack src/Innernet.Netlink/Innernet.Netlink.csproj -c Release -nologo -v:quiet -o "$ARTIFACTS/packages"
  ls -1 "$ARTIFACTS/packages"
}

# ---------------------------------------------------------------------------------------------
# docs: the API reference of Innernet.Netlink, Markdown generated by docfx (a local dotnet tool pinned in
# .config/dotnet-tools.json) from the published assembly and its XML documentation, into docs/reference/netlink/.
# docfx leaves cross references in the doc text as <xref> tags; resolve-xrefs.pl turns them into links.
# The output is committed; ApiReferenceTests fails when it no longer matches the assembly.
# ---------------------------------------------------------------------------------------------
cmd_docs() {
  local input=$ARTIFACTS/docs/input reference=$ROOT/docs/reference
  mkdir -p "$ARTIFACTS/docs"
  log "dotnet publish src/Innernet.Netlink (the assembly, its XML docs and Tmds.LibC for docfx)"
  rm -rf "$input"
  dotnet publish src/Innernet.Netlink/Innernet.Netlink.csproj -c Release -nologo -v:quiet -o "$input" \
    > "$ARTIFACTS/docs/publish.log" 2>&1 || { cat "$ARTIFACTS/docs/publish.log" >&2; die "publish for docs failed"; }
  dotnet tool restore > "$ARTIFACTS/docs/tool-restore.log" 2>&1 ||
    { cat "$ARTIFACTS/docs/tool-restore.log" >&2; die "dotnet tool restore (docfx) failed"; }
  log "docfx metadata → docs/reference/netlink"
  rm -rf "$reference/netlink"
  (cd "$reference" && dotnet docfx metadata docfx.json --warningsAsErrors) > "$ARTIFACTS/docs/docfx.log" 2>&1 ||
    { cat "$ARTIFACTS/docs/docfx.log" >&2; die "docfx failed (log: artifacts/docs/docfx.log)"; }
  perl "$reference/resolve-xrefs.pl" "$reference/netlink"
  log "$(find "$reference/netlink" -name '*.md' | wc -l) pages in docs/reference/netlink"
}

cmd_demo() {
  [ -x tests/harness/demo.sh ] || die "the demo arrives with issue 6"
  is_root || die "the demo creates network namespaces and needs root"
  cmd_setup
  cmd_build
  use_published
  bash tests/harness/demo.sh
}

case "${1:-}" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  publish) shift; cmd_publish "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  layout) cmd_build; cmd_publish linux-x64; bash tests/harness/layout-profile.sh ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  pack) cmd_pack ;;
  docs) cmd_docs ;;
  package) shift; cmd_package "$@" ;;
  demo) cmd_demo ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
