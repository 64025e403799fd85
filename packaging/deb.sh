#!/usr/bin/env bash
# deb.sh RID OUT — builds the Debian packages innernet-server and innernet from the Native AOT commands in
# artifacts/publish/RID/ (./build.sh publish RID) into OUT, then runs lintian on them (when installed).
#
# Layout: commands in /usr/bin (innernet a link to inn), systemd units in /lib/systemd/system (templates: nothing
# is enabled or started on install, and there are no maintainer scripts), bash/zsh/fish completions from the
# commands' `completions` verb, man pages made from their --help (man.sh). The packages ship nothing in /etc, so
# they have no conffiles: each network's config (/etc/innernet-server, /etc/innernet) and data (/var/lib/…) are
# written by the commands and are left alone by remove and purge (they hold the network's private keys).
set -euo pipefail
rid=$1 out=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$ROOT/artifacts/publish/$rid
case "$rid" in linux-x64) arch=amd64 ;; linux-arm64) arch=arm64 ;; *) echo "deb.sh: unsupported RID $rid" >&2; exit 2 ;; esac
[ -x "$bin/innernet-server" ] && [ -x "$bin/inn" ] || { echo "deb.sh: $bin has no commands (./build.sh publish $rid)" >&2; exit 1; }
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$ROOT/Directory.Build.props")
maintainer=${DEB_MAINTAINER:-Innernet for .NET maintainers <maintainers@innernet-dotnet.invalid>}
# Reproducible: file dates and the man pages' date come from the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
# The commands run here to print their help and completions: only when they are for this machine.
runnable=$bin
if [ "$(dpkg --print-architecture)" != "$arch" ]; then runnable=$ROOT/artifacts/publish/linux-x64; fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# package NAME COMMAND DESCRIPTION LONG — the common part of both packages
package() {
  local name=$1 command=$2 short=$3 long=$4 d=$work/$1
  mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/lib/systemd/system" "$d/usr/share/man/man8" "$d/usr/share/doc/$name" \
    "$d/usr/share/bash-completion/completions" "$d/usr/share/zsh/vendor-completions" "$d/usr/share/fish/vendor_completions.d"
  install -m 0755 "$bin/$command" "$d/usr/bin/$command"
  "$ROOT/packaging/man.sh" "$runnable/$command" "$command" 8 "$version" "$date" | gzip -9n > "$d/usr/share/man/man8/$command.8.gz"
  "$runnable/$command" completions bash > "$d/usr/share/bash-completion/completions/$command"
  "$runnable/$command" completions zsh > "$d/usr/share/zsh/vendor-completions/_$command"
  sed "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" "$ROOT/packaging/copyright" > "$d/usr/share/doc/$name/copyright"
  # Not position-independent on purpose (src/Publish/NativeAot.props: the runtime's data stays file-backed instead of
  # being expanded or relocated at every start); the override tells lintian so.
  mkdir -p "$d/usr/share/lintian/overrides"
  echo "$name: hardening-no-pie [usr/bin/$command]" > "$d/usr/share/lintian/overrides/$name"
  {
    echo "$name ($version) unstable; urgency=medium"
    echo
    echo "  * Native AOT build of Innernet for .NET $version."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n > "$d/usr/share/doc/$name/changelog.gz"
  cat > "$d/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: @SIZE@
Depends: @DEPENDS@
Recommends: wireguard-modules | wireguard-go
Suggests: wireguard-tools
Section: net
Priority: optional
Description: $short
$(fold -s -w 78 <<<"$long" | sed 's/ *$//; s/^/ /')
CONTROL
}

package innernet-server innernet-server "coordination server of an innernet network (WireGuard)" \
  "innernet-server keeps the peers, CIDRs and associations of an innernet network and serves them to the \
peers over the network's WireGuard interface. This is Innernet for .NET, a compatible re-implementation of \
innernet as one native executable. It uses the kernel's WireGuard, or wireguard-go where the kernel has none."
s=$work/innernet-server
install -m 0644 "$ROOT/src/Innernet.Server.Cli/innernet-server@.service" "$s/lib/systemd/system/"
"$runnable/innernet-server" completions fish > "$s/usr/share/fish/vendor_completions.d/innernet-server.fish"

package innernet inn "client of an innernet network (WireGuard)" \
  "inn (also installed as innernet) joins innernet networks with an invitation, keeps the WireGuard \
interface and the hosts file in step with the coordination server, and lets admins manage peers and CIDRs. \
This is Innernet for .NET, a compatible re-implementation of innernet as one native executable. It uses the \
kernel's WireGuard, or wireguard-go where the kernel has none."
c=$work/innernet
ln -s inn "$c/usr/bin/innernet"
ln -s inn.8.gz "$c/usr/share/man/man8/innernet.8.gz"
ln -s inn "$c/usr/share/bash-completion/completions/innernet"
install -m 0644 "$ROOT/src/Innernet.Client.Cli/innernet@.service" "$ROOT/src/Innernet.Client.Cli/innernet.target" "$c/lib/systemd/system/"
"$runnable/inn" completions fish > "$c/usr/share/fish/vendor_completions.d/innernet.fish"
echo "complete -c inn --wraps innernet" > "$c/usr/share/fish/vendor_completions.d/inn.fish"

# Depends from the ELF (dpkg-shlibdeps: libc6), plus libssl3: .NET's SHA-256 (ETags, peer-cache hashes) loads
# OpenSSL at run time, which no ELF dependency shows.
mkdir -p "$work/shlibs/debian"; : > "$work/shlibs/debian/control"
for entry in innernet-server:innernet-server innernet:inn; do
  d=$work/${entry%%:*}
  if [ "$runnable" = "$bin" ]; then
    deps=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e "$d/usr/bin/${entry#*:}" | sed -n 's/^shlibs:Depends=//p')
  else # another architecture: no libc6 of it is installed here; the newest glibc symbol version it needs
    deps="libc6 (>= $(grep -ao 'GLIBC_2\.[0-9]*' "$d/usr/bin/${entry#*:}" | sed 's/GLIBC_//' | sort -V | tail -1))"
  fi
  size=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
  sed -i "s/@DEPENDS@/$deps, libssl3/; s/@SIZE@/$size/" "$d/DEBIAN/control"
  (cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
  find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  chmod -R go-w "$d"
  dpkg-deb --root-owner-group -Zxz --build "$d" "$out/$(basename "$d")_${version}_$arch.deb" >/dev/null
done

if command -v lintian >/dev/null; then
  # A warning or an error fails the build. Info-level tags left (lintian -I): hardening-no-fortify-functions and
  # binary-has-unneeded-section (.NET's native code is not built by gcc with Debian's flags) and
  # spelling-error-in-binary (strings inside the .NET runtime and libraries).
  lintian --fail-on warning,error \
    "$out"/innernet-server_"${version}_$arch.deb" "$out"/innernet_"${version}_$arch.deb"
fi
ls -1 "$out"/*_"${version}_$arch.deb"
