#!/bin/sh
# make install honours PREFIX and DESTDIR, and what it installs works.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

out=$(make -s -C "$TOP" BUILD="${VQR_BUILD:-build}" install PREFIX=/opt/vqr DESTDIR="$WORK/root" 2>&1); rc=$?
is "$rc" 0 "make install exits 0"
for p in vqr vqr-extract vqr-transform vqr-load; do
	test -x "$WORK/root/opt/vqr/bin/$p"; ok $? "$p is installed under DESTDIR/PREFIX/bin"
done
test -f "$WORK/root/opt/vqr/share/vqr/sql/001_core.sql"; ok $? "the SQL migrations are installed"
test -f "$WORK/root/opt/vqr/share/vqr/config/sources/graduate_destination.yaml"; ok $? "the catalogs are installed"
for m in man1/vqr.1 man1/vqr-extract.1 man1/vqr-transform.1 man1/vqr-load.1 man5/vqr.yaml.5 man5/vqr-catalog.5; do
	test -f "$WORK/root/opt/vqr/share/man/$m"; ok $? "the man page $m is installed under DESTDIR/PREFIX/share/man"
done
out=$(env PATH=/usr/bin:/bin "$WORK/root/opt/vqr/bin/vqr" --version 2>&1); rc=$?
is "$rc" 0 "the installed vqr runs"
# The installed example configuration finds the installed catalogs.
mkdir -p "$WORK/i"
cfg="$WORK/root/opt/vqr/share/vqr/config/vqr.yaml"
out=$(cd "$WORK/i" && env PATH=/usr/bin:/bin "$WORK/root/opt/vqr/bin/vqr-extract" -c "$cfg" -o "$WORK/i/b" \
	"$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" 2>&1); rc=$?
is "$rc" 0 "the installed vqr-extract reads the installed catalogs"
done_testing
