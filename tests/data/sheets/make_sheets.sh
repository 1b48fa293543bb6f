#!/bin/sh
# make_sheets.sh - remake the committed workbooks of tests/data/sheets/
# (tests/e2e/sheets.t): make_sheets.py writes 学生工作台账_2022-2023.xlsx
# (three sheets: two registers and a sheet of notes) with the project's
# fixture writer, and LibreOffice writes the same workbook again as .xlsx
# (学生工作台账_libreoffice_2022-2023.xlsx) and as Excel 97-2003 .xls
# (学生工作台账_2022-2023.xls), so that the parts are read from two
# writers that are not vqr's and from both workbook formats.
#
#   sh tests/data/sheets/make_sheets.sh   # Debian: python3-openpyxl libreoffice-calc-nogui
#
# The outputs are committed; rerun only to change them.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$HERE/make_sheets.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$HERE/学生工作台账_2022-2023.xlsx" "$tmp/学生工作台账_libreoffice_2022-2023.xlsx"
mkdir "$tmp/out"
HOME=$tmp soffice --headless --convert-to "xlsx:Calc MS Excel 2007 XML" --outdir "$tmp/out" \
	"$tmp/学生工作台账_libreoffice_2022-2023.xlsx" >/dev/null
cp "$tmp/out/学生工作台账_libreoffice_2022-2023.xlsx" "$HERE/"
HOME=$tmp soffice --headless --convert-to xls --outdir "$tmp/out" "$HERE/学生工作台账_2022-2023.xlsx" >/dev/null
cp "$tmp/out/学生工作台账_2022-2023.xls" "$HERE/"
