#!/bin/sh
# deps.sh - install what building and testing vqr needs on Debian, when it
# is missing.  Quiet when everything is there already.
#
#   sh scripts/deps.sh
#   sh scripts/deps.sh --bench     also what `make bench` needs (pgloader)
set -eu
PKGS="python3-jsonschema gcc make pkg-config libc6-dev libpq-dev libcsv-dev libyaml-dev zlib1g-dev libminizip-dev libexpat1-dev
      libssl-dev postgresql postgresql-client perl gzip coreutils procps util-linux time"
# adduser, dpkg-dev (dpkg-shlibdeps), systemd (systemd-analyze) and logrotate: tests/cli/deb.t
# builds the Debian package (make deb), installs it and checks its units and logrotate file.
PKGS="$PKGS adduser dpkg-dev systemd logrotate"
# libfreexl-dev: the .xls reader (lib/readers/xls.c).  The .xls fixtures are
# committed; remaking them (tests/data/xls/make_xls.sh) needs python3-xlwt and
# libreoffice-calc-nogui, which the build and the tests never use.
PKGS="$PKGS libfreexl-dev"
# libxlsxwriter-dev: vqr report --format xlsx (pipeline/report_xlsx.c).
PKGS="$PKGS libxlsxwriter-dev"
# python3-openpyxl: tests/e2e/report_xlsx.t reads the workbook back, and
# tests/cli/differential.t reads the .xlsx corpus of tests/corpus/ with it,
# the trusted reader vqr's records are compared with.
PKGS="$PKGS python3-openpyxl"
# python3-xlrd: tests/cli/differential.t reads the .xls corpus of tests/corpus/
# with it (the trusted reader of .xls, formulas' cached values included).
PKGS="$PKGS python3-xlrd"
# mandoc: tests/cli/man.t lints the man pages (man/) with it.
PKGS="$PKGS mandoc"
# tests/e2e/report_html.t: an HTML parser, an image reader for the
# screenshot, headless Chromium to render the page, a CJK font to draw it.
PKGS="$PKGS python3-html5lib python3-pil chromium fonts-wqy-microhei"
# clang and its libFuzzer runtime: the fuzz targets (make fuzz, and the short run in make check).
PKGS="$PKGS clang libclang-rt-dev"
# Optional: only the benchmark (bench/e2e.sh) uses it, never make check.
[ "${1-}" != "--bench" ] || PKGS="$PKGS pgloader"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root (or sudo) to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
