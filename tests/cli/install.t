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
for d in README.md OPERATIONS.md HACKING.md summary.schema.json examples/vqr.service examples/vqr.timer examples/crontab; do
	test -f "$WORK/root/opt/vqr/share/doc/vqr/$d"; ok $? "the doc $d is installed under DESTDIR/PREFIX/share/doc/vqr"
done

# The installed programs find their data where they were installed, not
# where the build ran (/usr/local/share/vqr does not hold it here): a
# deployment outside the tree loads a register and prints the report
# without --layout.
B="$WORK/root/opt/vqr/bin"
test_db vqr_cli_install
mkdir -p "$WORK/d/inbox"
cat > "$WORK/d/vqr.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校}
database: "$TEST_DB"
paths: {inbox: inbox, staging: staging, archive: archive, quarantine: quarantine, settle_seconds: 0}
include:
  - $WORK/root/opt/vqr/share/vqr/config/sources/graduate_destination.yaml
  - $WORK/root/opt/vqr/share/vqr/config/indicators/employment.yaml
YAML
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$WORK/d/inbox/"
out=$(cd "$WORK/d" && env PATH=/usr/bin:/bin "$B/vqr" init 2>&1); is "$?" 0 "the installed vqr init"
out=$(cd "$WORK/d" && env PATH=/usr/bin:/bin "$B/vqr" run 2>&1); is "$?" 0 "the installed vqr run loads a register"
[ -d /usr/local/share/vqr/config ] && diag "(/usr/local/share/vqr/config exists on this machine)"
out=$(cd "$WORK/d" && env PATH=/usr/bin:/bin "$B/vqr" report --year 2022-2023 --format markdown 2>"$WORK/d/err"); rc=$?
is "$rc" 0 "the installed vqr report, without --layout, finds the installed report layout"
[ $rc -eq 0 ] || diag "$(cat "$WORK/d/err")"
like "$(head -c 20000 "$WORK/d/err")" "*/opt/vqr/bin/../share/vqr/config/report/quality_report.yaml*" "  (the one under PREFIX)"
like "$out" "*| 1 | 企事业单位就业 | 737 | 50.27 |*" "  and prints the report's tables with the loaded figures (表1-2)"
done_testing
