#!/bin/sh
# vqr's readers against trusted ones on other writers' files: every sheet
# of every .xlsx under tests/corpus/ against openpyxl, of every .xls against
# xlrd (54 files: 20 read alike, 34 known differences, each with its
# reason: Excel 5.0/95 files vqr refuses, formula cells libfreexl reads
# empty, time formats on dates), every CSV against Python's csv module; a new disagreement, a crash, a hang or a reader
# over 64 MB fails (tests/corpus/differential.py says how values are
# compared, and lists the known differences with their reasons).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
exec /usr/bin/python3 "$TOP/tests/corpus/differential.py" "$TOP/${VQR_BUILD:-build}"
