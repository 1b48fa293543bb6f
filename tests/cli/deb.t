#!/bin/sh
# make deb builds the Debian package; on this machine (as root, with dpkg)
# it installs, sets up the user vqr and its directories, loads a register
# as vqr into the embedded cluster under /var/lib/vqr, has units that
# systemd-analyze verifies, and a purge leaves nothing of it behind (the
# user stays, as with Debian's packages).  One run of this test at a time
# per machine (a lock), and it never replaces a vqr installed otherwise.
#
# While the package is installed, its /etc/vqr/vqr.yaml is the default
# deployment of every vqr on the machine, so tests running beside it that
# count on there being none would fail: it runs only when asked
# (VQR_TEST_DEB=1), which `make check-deb` does on its own, after the
# suite in `make check`.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
[ "${VQR_TEST_DEB-}" = 1 ] ||
	skip_all "installs the package system-wide: run alone with make check-deb (VQR_TEST_DEB=1)"
[ "$(id -u)" = 0 ] || skip_all "not root: dpkg -i needs root"
for t in dpkg dpkg-deb dpkg-query runuser flock; do
	command -v "$t" >/dev/null 2>&1 || skip_all "$t is missing"
done
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD
export VQR_EMBED_NOSYNC=1
cd /

exec 9>/var/lock/vqr-deb-test.lock
flock -w 900 9 || { echo "Bail out! another deb.t held /var/lock/vqr-deb-test.lock for 15 minutes"; exit 1; }
if dpkg-query -W -f '${Status}\n' vqr 2>/dev/null | grep -q ' installed$'; then
	skip_all "a vqr package is installed on this machine; this test does not replace it"
fi
for d in /etc/vqr /var/lib/vqr /var/log/vqr; do
	[ -e "$d" ] && skip_all "$d exists without the package; this test does not touch it"
done

# Whatever happens from here: purge the package (its prerm stops the cluster).
INSTALLED=0
cleanup() {
	[ "$INSTALLED" = 1 ] && dpkg --purge vqr >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

deb=$(sh "$TOP/scripts/deb.sh" "${VQR_BUILD:-build}" "$WORK/out" 2>"$WORK/deb.err"); rc=$?
is "$rc" 0 "scripts/deb.sh (make deb) builds the package"
[ $rc -eq 0 ] || { diag "$(cat "$WORK/deb.err")"; done_testing; }
like "$deb" "$WORK/out/vqr_*_$(dpkg --print-architecture).deb" "  into OUT/vqr_VERSION_ARCH.deb"
info=$(dpkg-deb -f "$deb" Depends)
for p in libpq5 libyaml-0-2 libcsv3 zlib1g postgresql adduser; do
	like "$info" "*$p*" "it depends on $p"
done
is "$(dpkg-deb -I "$deb" conffiles | sort | tr '\n' ' ')" "/etc/logrotate.d/vqr /etc/vqr/vqr.yaml " \
	"the deployment and the logrotate file are conffiles"

out=$(dpkg -i "$deb" 2>&1); rc=$?
INSTALLED=1
is "$rc" 0 "dpkg -i installs it"
[ $rc -eq 0 ] || diag "$out"
ent=$(getent passwd vqr)
like "$ent" "vqr:x:*:*:*:/var/lib/vqr:/usr/sbin/nologin" "the system user vqr exists, home /var/lib/vqr, no shell"
uid=$(id -u vqr 2>/dev/null)
ok $((uid >= 1000)) "  with a system uid ($uid)"
for d in /var/lib/vqr /var/log/vqr /var/lib/vqr/inbox; do
	is "$(stat -c %U:%G "$d" 2>&1)" vqr:vqr "$d belongs to vqr"
done
is "$(stat -c '%a %U %s' /var/lib/vqr/pii.key 2>&1)" "600 vqr 32" "the keyed-hash key is 32 private bytes of vqr"
key=$(md5sum < /var/lib/vqr/pii.key)
out=$(dpkg -i "$deb" 2>&1); is "$?" 0 "installing it again works (the maintainer scripts are idempotent)"
is "$(md5sum < /var/lib/vqr/pii.key)" "$key" "  and keeps the key"
for f in /usr/bin/vqr /usr/bin/vqr-extract /usr/bin/vqr-transform /usr/bin/vqr-load; do
	test -x "$f"; ok $? "$f is installed"
done
for f in /usr/share/man/man1/vqr.1.gz /usr/share/man/man5/vqr.yaml.5.gz /usr/share/doc/vqr/OPERATIONS.md \
	/usr/share/vqr/config/report/quality_report.yaml /lib/systemd/system/vqr.service /lib/systemd/system/vqr.timer; do
	test -f "$f"; ok $? "$f is installed"
done
like "$(cat /lib/systemd/system/vqr.service)" "*ExecStart=/usr/bin/vqr --config /etc/vqr/vqr.yaml*" \
	"the service runs the installed vqr on /etc/vqr/vqr.yaml"
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify /lib/systemd/system/vqr.service /lib/systemd/system/vqr.timer 2>&1); rc=$?
	is "$rc" 0 "systemd-analyze verify accepts the service and the timer"
	[ $rc -eq 0 ] || diag "$out"
else
	echo "ok $((_tap_n += 1)) # SKIP systemd-analyze is not installed"
fi
if command -v logrotate >/dev/null 2>&1; then
	out=$(logrotate -d /etc/logrotate.d/vqr 2>&1); rc=$?
	is "$rc" 0 "logrotate -d accepts the logrotate file"
	[ $rc -eq 0 ] || diag "$out"
fi

# A load as vqr, with the shipped deployment (the file must not wait to
# settle here).
asvqr() { runuser -u vqr -- env PATH=/usr/bin:/bin "$@"; }
out=$(asvqr vqr -c /etc/vqr/vqr.yaml init 2>&1); rc=$?
is "$rc" 0 "vqr init as vqr with /etc/vqr/vqr.yaml"
[ $rc -eq 0 ] || diag "$out"
like "$out" "*created and started embedded PostgreSQL in /var/lib/vqr/pg/pgdata*" "  creates the cluster under /var/lib/vqr"
is "$(stat -c %U /var/lib/vqr/pg/pgdata 2>&1)" vqr "  owned by vqr"
sed 's/^\(  settle_seconds:\) 60 /\1 0 /' /etc/vqr/vqr.yaml > "$WORK/vqr.yaml"
chmod 644 "$WORK/vqr.yaml"
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" /var/lib/vqr/inbox/
chown vqr:vqr /var/lib/vqr/inbox/*
out=$(asvqr vqr -c "$WORK/vqr.yaml" --log /var/log/vqr/vqr.log run 2>&1); rc=$?
is "$rc" 0 "vqr run as vqr loads the inbox"
[ $rc -eq 0 ] || diag "$out"
like "$(asvqr vqr -c /etc/vqr/vqr.yaml show 2>&1)" "*employment.graduates.total*1466*" "vqr show as vqr prints what it loaded"
test -s /var/log/vqr/vqr.log; ok $? "the run logged to /var/log/vqr/vqr.log"
out=$(asvqr vqr -c /etc/vqr/vqr.yaml db start 2>&1); is "$?" 0 "vqr db start as vqr leaves the cluster running"

files=$(dpkg-query -L vqr)
out=$(dpkg -r vqr 2>&1); is "$?" 0 "dpkg -r removes it"
is "$(ps -u vqr -o pid= 2>/dev/null | wc -l)" 0 "  after stopping the cluster (no process of vqr is left)"
test -f /etc/vqr/vqr.yaml && test -d /var/lib/vqr/pg; ok $? "  and keeps the configuration and the data"
out=$(dpkg --purge vqr 2>&1); rc=$?
is "$rc" 0 "dpkg --purge purges it"
INSTALLED=0
is "$(dpkg-query -W -f '${Status}' vqr 2>/dev/null | grep -c installed)" 0 "  it is no longer installed"
left=""
for f in $files /etc/vqr /var/lib/vqr /var/log/vqr; do
	case $f in
	/etc/vqr | /var/lib/vqr | /var/log/vqr | /usr/share/vqr | /usr/share/vqr/* | /usr/share/doc/vqr | /usr/share/doc/vqr/*) ;;
	*) [ -d "$f" ] && continue ;; # a directory others share (/usr/bin, /etc/logrotate.d, ...)
	esac
	[ -e "$f" ] && left="$left $f"
done
is "$left" "" "nothing of the package is left (files, /etc/vqr, /var/lib/vqr, /var/log/vqr)"
getent passwd vqr >/dev/null; ok $? "the user vqr stays"

done_testing
