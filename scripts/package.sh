#!/usr/bin/env bash
# Builds what installs cg-revenue without a Swift toolchain: a release binary with the Swift runtime
# linked in (--static-swift-stdlib; Foundation comes along, ICU's data inside), stripped, then
#   dist/cg-revenue_VERSION_amd64.deb                 (dpkg-deb; Depends from dpkg-shlibdeps)
#   dist/cg-revenue-VERSION-linux-x86_64.tar.gz       (the same files under one folder, with INSTALL)
# Both carry the binary, the man page, bash/zsh/fish completions, the systemd units
# (packaging/systemd), the example config (/etc/cg-revenue/config.yaml, a conffile) and the README
# and example data. cg-sandbox stays out. VERSION is what `cg-revenue --version` prints
# (Sources/RevenueReport/ToolVersion.swift, the one place that sets it).
#
#   scripts/package.sh            # then: apt install ./dist/cg-revenue_*_amd64.deb
#   scripts/package-check.sh      # installs it here and tries it, then removes it
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
for tool in swift dpkg-deb strip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "package: $tool not found" >&2; exit 1; }
done
started=$(date +%s)

# One build folder of its own: the static runtime does not mix with `swift build`'s objects.
scratch=.build-package
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product cg-revenue
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product generate-manual
built="$scratch/release/cg-revenue"
version=$("$built" --version)
case "$version" in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "package: --version printed \"$version\", not a version" >&2; exit 1 ;;
esac
# No Swift library may be linked dynamically: the binary must run where no toolchain is.
if ldd "$built" | grep -Ei 'swift|libFoundation|libdispatch|libBlocksRuntime'; then
  echo "package: the binary still links a Swift library dynamically" >&2; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files="$work/files"   # the installed tree, as the .deb lays it out
mkdir -p "$files"/usr/bin "$files"/usr/share/man/man1 "$files"/usr/share/bash-completion/completions \
  "$files"/usr/share/zsh/vendor-completions "$files"/usr/share/fish/vendor_completions.d "$files"/lib/systemd/system \
  "$files"/etc/cg-revenue "$files"/usr/share/doc/cg-revenue
install -m 0755 "$built" "$files/usr/bin/cg-revenue"
strip --strip-unneeded "$files/usr/bin/cg-revenue"
bin="$files/usr/bin/cg-revenue"
"$bin" --generate-completion-script bash > "$files/usr/share/bash-completion/completions/cg-revenue"
"$bin" --generate-completion-script zsh > "$files/usr/share/zsh/vendor-completions/_cg-revenue"
"$bin" --generate-completion-script fish > "$files/usr/share/fish/vendor_completions.d/cg-revenue.fish"
mkdir -p "$work/man"
"$scratch/release/generate-manual" "$bin" --output-directory "$work/man"
python3 scripts/finish-man.py "$work/man/cg-revenue.1"
gzip -9n < "$work/man/cg-revenue.1" > "$files/usr/share/man/man1/cg-revenue.1.gz"
install -m 0644 packaging/systemd/cg-revenue-nightly.service packaging/systemd/cg-revenue-nightly.timer "$files/lib/systemd/system/"
install -m 0644 packaging/config.yaml "$files/etc/cg-revenue/config.yaml"
doc="$files/usr/share/doc/cg-revenue"
install -m 0644 README.md "$doc/README.md"
install -m 0644 packaging/credentials.env "$doc/credentials.env.example"
mkdir -p "$doc/examples"
cp -r examples/responses examples/responses-xml examples/revenue-files examples/cron examples/systemd \
  examples/nightly.yaml examples/monthly-audit.yaml "$doc/examples/"
find "$files" -type d -exec chmod 0755 {} +
find "$doc" -type f -exec chmod 0644 {} +

# Depends: the Debian packages of the libraries the binary links (dpkg-shlibdeps reads them off
# the binary); by name where dpkg-shlibdeps is missing.
depends="libc6, libstdc++6, libgcc-s1, libxml2, libsqlite3-0, libxlsxwriter4, zlib1g, passwd"
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
  mkdir -p "$work/shlibs/debian"
  printf 'Source: cg-revenue\n\nPackage: cg-revenue\nArchitecture: amd64\n' > "$work/shlibs/debian/control"
  found=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  [ -n "$found" ] && depends="$found, passwd"
fi

deb="$work/deb"
mkdir -p "$deb/DEBIAN"
cp -a "$files"/. "$deb/"
size=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" packaging/debian/control.in > "$deb/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$deb/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$deb/DEBIAN/"
mkdir -p dist
deb_file="dist/cg-revenue_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$deb_file" >/dev/null

# The tarball: the same files under one folder, laid out for a hand install (INSTALL says how).
name="cg-revenue-${version}-linux-x86_64"
tree="$work/$name"
mkdir -p "$tree/bin" "$tree/man" "$tree/completions" "$tree/systemd"
cp "$bin" "$tree/bin/"
cp "$work/man/cg-revenue.1" "$tree/man/"
cp "$files/usr/share/bash-completion/completions/cg-revenue" "$tree/completions/cg-revenue.bash"
cp "$files/usr/share/zsh/vendor-completions/_cg-revenue" "$tree/completions/"
cp "$files/usr/share/fish/vendor_completions.d/cg-revenue.fish" "$tree/completions/"
cp packaging/systemd/* "$tree/systemd/"
cp packaging/config.yaml packaging/credentials.env README.md "$tree/"
cp -r "$doc/examples" "$tree/examples"
sed "s/@VERSION@/$version/g" packaging/INSTALL > "$tree/INSTALL"
tar_file="dist/$name.tar.gz"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$tar_file" "$name"

echo "package: cg-revenue $version in $(( $(date +%s) - started )) s"
echo "  $deb_file ($(du -h "$deb_file" | cut -f1)); Depends: $depends"
echo "  $tar_file ($(du -h "$tar_file" | cut -f1))"
