#!/bin/sh
# make.sh - the .xls files of this folder: workbooks of tests/corpus/calamine
# (MIT, see ../calamine/LICENSE-MIT.md) and tests/data saved as Excel 97-2003
# by LibreOffice headless (Debian's libreoffice-calc-nogui), so that the .xls
# reader meets LibreOffice's BIFF8 writer on cells it did not write itself
# (dates in both date systems, rich and shared strings, formulas with their
# values, errors, merged ranges, several sheets).
#
#   sh tests/corpus/libreoffice/make.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in date date_1904 errors formula.issue merged_range richtext-after-plain any_sheets \
	temperature encoded_entities issue_391; do
	cp "$TOP/tests/corpus/calamine/$f.xlsx" "$TMP/"
done
cp "$TOP/tests/data/cells/"*.xlsx "$TMP/" 2>/dev/null || true
HOME=$TMP soffice --headless --convert-to xls --outdir "$HERE" "$TMP"/*.xlsx > /dev/null
