#!/usr/bin/python3
"""make_xls.py - the .xls workbooks that tests/e2e/xls.t and
tests/unit/test_xls.c read, written by python3-xlwt (a writer other than
vqr's generators and openpyxl): the first 200 graduates of the fixture
register, as tests/data/formats/make_formats.py writes them to CSV and
.xlsx (a merged title row above the header, real dates and numbers),
in the 1900 and in the 1904 date system, and a small workbook of cell
kinds for the unit test, and an .xlsx of formulas for LibreOffice.  Run by make_xls.sh, which also has LibreOffice
convert the .xlsx form.

    /usr/bin/python3 tests/data/xls/make_xls.py     # Debian: python3-xlwt python3-openpyxl
"""
import csv
import datetime
import os

import openpyxl
import xlwt

HERE = os.path.dirname(os.path.abspath(__file__))
N = 200
NUMERIC = {"入学年份", "毕业届别", "起薪（元/月）"}
DATES = {"毕业日期", "劳动合同起始日期", "回访日期", "统计截止日期"}


def register(date1904, bad_row=None):
    """The register; bad_row (data row index) gets a date no parser takes."""
    with open(os.path.join(HERE, "..", "formats", "毕业生去向登记表_utf8.csv"),
              encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    title, header, data = rows[0], rows[1], rows[2:2 + N]
    wb = xlwt.Workbook(encoding="utf-8")
    wb.dates_1904 = date1904
    ws = wb.add_sheet("毕业生去向")
    ws.write_merge(0, 0, 0, len(header) - 1, title[0])
    for c, h in enumerate(header):
        ws.write(1, c, h)
    date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(data):
        for c, (h, v) in enumerate(zip(header, row)):
            if not v:
                continue
            if r == bad_row and h == "毕业日期":
                ws.write(r + 2, c, "2023-02-30")
            elif h in NUMERIC:
                ws.write(r + 2, c, int(v.replace(",", "")))
            elif h in DATES:
                ws.write(r + 2, c, datetime.date.fromisoformat(v), date)
            else:
                ws.write(r + 2, c, v)
    return wb


def cells():
    """One of each kind of cell, checked by test_xls.c."""
    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("字典").write(0, 0, "就业")
    ws = wb.add_sheet("Cells")
    ws.write_merge(0, 0, 0, 3, "合并标题")
    ws.write(1, 0, "学号")
    ws.write(1, 1, "日期")
    ws.write(1, 2, "时间")
    ws.write(1, 3, "数")
    ws.write(2, 0, "2020010001")
    ws.write(2, 1, datetime.date(2023, 6, 30), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(2, 2, datetime.time(8, 30, 1), xlwt.easyxf(num_format_str="hh:mm:ss"))
    ws.write(2, 3, 4500)
    ws.write(3, 1, datetime.datetime(2023, 6, 30, 8, 30), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss"))
    ws.write(3, 2, datetime.datetime(2023, 7, 1), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
    ws.write(3, 3, 0.1)
    ws.write(5, 0, "  两边空格  ")
    ws.write(5, 1, 1e20)
    ws.write(5, 2, -1.25)
    ws.write(5, 3, 123456789012345)
    ws.write(6, 0, "行1\n行2")
    ws.write(6, 6, 1 / 3)
    wb.save(os.path.join(HERE, "cells_xlwt.xls"))


def formulas():
    """Formulas and booleans as .xlsx, for LibreOffice to convert to .xls
    (make_xls.sh): it writes each formula with its result."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公式"
    ws.append(["数", "倍", "积", "文本", "真"])
    ws.append([2, 3, "=A2*B2", '="x"&A2', True])
    wb.save(os.path.join(HERE, "formulas.xlsx"))


def declared_large():
    """Three sheets that each declare 65,536 rows by 256 columns with two
    cells: libfreexl allocates for the declared ranges (about 768 MiB)."""
    wb = xlwt.Workbook()
    for i in range(3):
        ws = wb.add_sheet("s%d" % i)
        ws.write(0, 0, "a")
        ws.write(65535, 255, "x")
    wb.save(os.path.join(HERE, "毕业生去向登记表_declared_large.xls"))


def main():
    register(0).save(os.path.join(HERE, "毕业生去向登记表_xlwt.xls"))
    register(1).save(os.path.join(HERE, "毕业生去向登记表_1904.xls"))
    register(0, bad_row=5).save(os.path.join(HERE, "毕业生去向登记表_bad.xls"))
    cells()
    formulas()
    declared_large()


if __name__ == "__main__":
    main()
