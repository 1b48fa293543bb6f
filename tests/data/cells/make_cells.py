#!/usr/bin/python3
"""make_cells.py - write the registers of tests/e2e/cells.t: cells as Excel
users write them (formulas, numbers kept as text, leading apostrophes,
hidden rows and columns, CSV's ="0012" guard), read with sources.yaml.

    单元格_openpyxl_2022-2023.xlsx  openpyxl (python3-openpyxl): formulas
                     without cached values (rows 2 and 3), numbers as text
                     ("0012", " 12 ", full-width "１２.5"), IDs typed with
                     an apostrophe (quotePrefix style), a hidden row (3)
                     and a hidden column (F)
    单元格_lo_2022-2023.xlsx  the same workbook opened and saved by
                     LibreOffice headless (libreoffice-calc-nogui), which
                     computes the formulas and writes their cached values
    单元格_guard_2022-2023.csv  a CSV with Excel's text guards: ="0012",
                     '0012 and '12 in a number column

    /usr/bin/python3 tests/data/cells/make_cells.py

LibreOffice is run as
    HOME=$TMP soffice --headless --convert-to xlsx --outdir $TMP 单元格_openpyxl_2022-2023.xlsx
Expected values are in tests/e2e/cells.t.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "fixtures"))
from exportlib import _fix_zip_times  # noqa: E402

HEADER = ["学年", "学号", "人数", "单价", "金额", "备注"]


def openpyxl_book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单元格"
    ws.append(HEADER)
    ws.append(["2022-2023", "0012", 5, 2, "=C2*D2", "公式"])
    ws.append(["2022-2023", "0013", "0012", 4.5, "=C3*D3", "隐藏的行"])
    ws.append(["2022-2023", "0014", " 12 ", "１２.5", 150, "数字存为文本"])
    for ref in ("B2", "B3", "B4"):
        ws[ref].quotePrefix = True             # typed as '0012 in Excel
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["F"].hidden = True
    wb.save(path)
    _fix_zip_times(path)


def libreoffice_copy(src, dst):
    tmp = tempfile.mkdtemp()
    try:
        env = dict(os.environ, HOME=tmp)
        subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", tmp, src],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        shutil.move(os.path.join(tmp, os.path.basename(src)), dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def guard_csv(path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("学年,学号,人数,单价,金额,备注\r\n")
        f.write('2022-2023,="0012",="12",12.5,150,等号引号\r\n')
        f.write("2022-2023,'0013,'3,4.5,13.5,撇号\r\n")
        f.write('2022-2023,"=""0014""", １２ ,２,24,全角数字\r\n')
        f.write("2022-2023,'O14,'x,2,1,不是数字\r\n")


def main():
    xl = os.path.join(HERE, "单元格_openpyxl_2022-2023.xlsx")
    openpyxl_book(xl)
    libreoffice_copy(xl, os.path.join(HERE, "单元格_lo_2022-2023.xlsx"))
    guard_csv(os.path.join(HERE, "单元格_guard_2022-2023.csv"))


main()
