#!/bin/sh
# demo.sh - the main job on the embedded default, on a fresh Debian
# machine: install what is missing, build vqr, let it create its own
# private PostgreSQL cluster, load the fixture exports from the inbox, and
# show the indicators it loaded.
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
cp fixtures/graduate_destination/*.csv "$DIR/inbox/"
VQR="build/bin/vqr -c $DIR/vqr.yaml"
$VQR init
$VQR run
$VQR show
echo
echo "demo: every breakdown: $VQR show --all"
echo "demo: query it yourself: $VQR db start   (prints the psql command)"
