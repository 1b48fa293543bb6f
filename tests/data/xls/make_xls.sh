#!/bin/sh
# make_xls.sh - remake the committed .xls fixtures of tests/data/xls/:
# python3-xlwt writes the register (1900 and 1904 date systems, one with a
# bad date) and a workbook of cell kinds (make_xls.py), and LibreOffice
# converts the .xlsx form of the register (tests/data/formats/) and a
# workbook of formulas to .xls,
# so that the reader is checked on two writers that are not vqr's.
#
#   sh tests/data/xls/make_xls.sh   # Debian: python3-xlwt python3-openpyxl libreoffice-calc-nogui
#
# The outputs are committed; rerun only to change them.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$HERE/make_xls.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$HERE/../formats/毕业生去向登记表_excel.xlsx" "$tmp/毕业生去向登记表_libreoffice.xlsx"
HOME=$tmp soffice --headless --convert-to xls --outdir "$tmp" "$tmp/毕业生去向登记表_libreoffice.xlsx" >/dev/null
cp "$tmp/毕业生去向登记表_libreoffice.xls" "$HERE/"
mv "$HERE/formulas.xlsx" "$tmp/formulas_libreoffice.xlsx"
HOME=$tmp soffice --headless --convert-to xls --outdir "$tmp" "$tmp/formulas_libreoffice.xlsx" >/dev/null
cp "$tmp/formulas_libreoffice.xls" "$HERE/"
