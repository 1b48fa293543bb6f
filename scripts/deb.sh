#!/bin/sh
# deb.sh - build the Debian package of vqr from a built tree, offline, with
# plain dpkg-deb (no debhelper): `make deb` runs it.
#
#   sh scripts/deb.sh BUILD [OUT]  writes OUT/vqr_<version>_<arch>.deb (OUT:
#                                  BUILD by default; OUT/deb is its scratch
#                                  directory) and prints its path
#
# The package is `make install PREFIX=/usr` into BUILD/deb/root plus
# pkg/deb/: the deployment /etc/vqr/vqr.yaml and the logrotate file
# (conffiles), the maintainer scripts (the user vqr, /var/lib/vqr,
# /var/log/vqr), and docs/examples/vqr.{service,timer} with the paths of
# the package as the systemd units.  The shared-library dependencies come
# from dpkg-shlibdeps when it is installed (dpkg-dev), else from the
# packages that own the libraries the programs load (dpkg -S).
set -eu

BUILD=${1:-build}
OUT=${2:-$BUILD}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$OUT/deb/root
VERSION=$(sed -n 's/^#define VQR_VERSION "\(.*\)"$/\1/p' lib/util/cli.h)
ARCH=$(dpkg --print-architecture)
DEB=$OUT/vqr_${VERSION}_${ARCH}.deb
PROGS="vqr vqr-extract vqr-transform vqr-load"

rm -rf "$OUT/deb"
mkdir -p "$ROOT/DEBIAN"
make -s BUILD="$BUILD" install DESTDIR="$ROOT" PREFIX=/usr >/dev/null
install -d "$ROOT/etc/vqr" "$ROOT/etc/logrotate.d" "$ROOT/lib/systemd/system"
install -m 644 pkg/deb/vqr.yaml "$ROOT/etc/vqr/vqr.yaml"
install -m 644 pkg/deb/logrotate "$ROOT/etc/logrotate.d/vqr"
# The examples with the package's paths, and the units from them.
for f in "$ROOT"/usr/share/doc/vqr/examples/*; do
	sed -i -e 's|/usr/local/bin/|/usr/bin/|g' -e 's|/usr/local/share/doc/|/usr/share/doc/|g' "$f"
done
for u in vqr.service vqr.timer; do
	sed -e "s|^# /etc/systemd/system/$u|# /lib/systemd/system/$u|" \
		"$ROOT/usr/share/doc/vqr/examples/$u" > "$ROOT/lib/systemd/system/$u"
	chmod 644 "$ROOT/lib/systemd/system/$u"
done
gzip -9n "$ROOT"/usr/share/man/man*/*
install -m 755 pkg/deb/postinst pkg/deb/prerm pkg/deb/postrm "$ROOT/DEBIAN/"
printf '/etc/vqr/vqr.yaml\n/etc/logrotate.d/vqr\n' > "$ROOT/DEBIAN/conffiles"

# Depends: the packages of the shared libraries the programs load.
bins=""
for p in $PROGS; do bins="$bins $ROOT/usr/bin/$p"; done
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
	tmp=$OUT/deb/shlibs
	mkdir -p "$tmp/debian"
	printf 'Source: vqr\n\nPackage: vqr\nArchitecture: any\n' > "$tmp/debian/control"
	# shellcheck disable=SC2086
	depends=$(cd "$tmp" && dpkg-shlibdeps -O $bins 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
else
	# shellcheck disable=SC2086
	depends=$(ldd $bins | awk '$3 ~ /^\// { print $3 }' | sort -u |
		while read -r lib; do
			real=$(readlink -f "$lib")
			dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || true
		done | sed 's/:.*//' | sort -u | grep -v '^libc6$' | paste -sd, - | sed 's/,/, /g')
	depends="libc6${depends:+, $depends}"
fi
[ -n "$depends" ] || { echo "deb.sh: cannot compute the library dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	pkg/deb/control.in > "$ROOT/DEBIAN/control"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs md5sum) > "$ROOT/DEBIAN/md5sums"
chmod 644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
