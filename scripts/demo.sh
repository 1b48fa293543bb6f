#!/bin/sh
# demo.sh - the main job on the embedded default, on a fresh Debian
# machine: install what is missing, build vqr, let it create its own
# private PostgreSQL cluster, load the seed college's 2022-2023 exports
# from the inbox, print the quality report's tables from the database and
# write it as one HTML page with charts ($DIR/report-2022-2023.html).
#
#   sh scripts/demo.sh            (runtime data in ./var, or VQR_DEMO_DIR)
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
sh scripts/deps.sh
make -j2 >/dev/null
DIR=${VQR_DEMO_DIR:-$TOP/var}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# Run as root, the cluster runs as user postgres, which must reach $DIR.
if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=postgres --regid=postgres --clear-groups test -x "$DIR" 2>/dev/null; then
	DIR=/var/tmp/vqr-demo
	mkdir -p "$DIR"
	echo "demo: user postgres cannot reach the repository; runtime data goes to $DIR" >&2
fi
# The example configuration, with its runtime directories under $DIR.
# The demo copies finished files into the inbox: no need to wait for them to settle.
sed -e "s|\.\./var/|$DIR/|" -e "s|^  - |  - $TOP/config/|" -e "s|settle_seconds: 60 |settle_seconds: 0  |" \
	config/vqr.yaml > "$DIR/vqr.yaml"
mkdir -p "$DIR/inbox"
# The 2022-2023 exports of the seed college (fixtures/CQGYGJ/2022-2023/:
# registers in .xlsx, GB18030 CSV, .csv.gz, ... and its summary sheets).
cp fixtures/CQGYGJ/2022-2023/* "$DIR/inbox/"
if [ ! -f "$DIR/pii.key" ]; then
	# the key of the pseudonymised person IDs (pii: pseudonymise)
	(umask 077 && head -c 32 /dev/urandom > "$DIR/pii.key")
fi
VQR="build/bin/vqr -c $DIR/vqr.yaml"
$VQR init
# Every row of these exports maps to a rule, so this exits 0; with other
# data, exit 2 means some row was rejected (vqr.reject has each reason).
$VQR run || [ $? -eq 2 ]
$VQR report --school CQGYGJ --year 2022-2023 --layout "$TOP/config/report/quality_report.yaml"
$VQR report --school CQGYGJ --year 2022-2023 --layout "$TOP/config/report/quality_report.yaml" \
	--format html -o "$DIR/report-2022-2023.html"
echo
echo "demo: the report with charts (open it in a browser): $DIR/report-2022-2023.html"
echo "demo: the findings: $VQR status"
echo "demo: every value: $VQR show --all"
echo "demo: query it yourself: $VQR db start   (prints the psql command)"
