#!/usr/bin/python3
"""make_formats.py - the first 200 graduates of the fixture register
(fixtures/graduate_destination/), exported the ways campus systems and
Excel export it: UTF-8 CSV, UTF-8 with BOM, GB18030 CSV, UTF-16LE tab text
with BOM (Excel's "Unicode text"), .csv.gz, and .xlsx with a merged title
row above the header, real dates and numbers.  tests/cli/formats.t checks
that all of them give byte-identical canonical rows.

    /usr/bin/python3 tests/data/formats/make_formats.py   # Debian: python3-openpyxl

The outputs are committed; rerun only to change them.
"""
import csv
import datetime
import gzip
import io
import os

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))

N = 200
NUMERIC = {"入学年份", "毕业届别", "起薪（元/月）"}
DATES = {"毕业日期", "劳动合同起始日期", "回访日期", "统计截止日期"}


def main():
    with open(os.path.join(HERE, "..", "..", "..", "fixtures", "graduate_destination",
                           "毕业生去向登记表_2022-2023.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    title, header, data = rows[0], rows[1], rows[2:2 + N]
    table = [title, header] + data

    def text(delim=","):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim, lineterminator="\r\n").writerows(table)
        return buf.getvalue()

    base = os.path.join(HERE, "毕业生去向登记表")
    with open(base + "_utf8.csv", "w", encoding="utf-8", newline="") as f:
        f.write(text())
    with open(base + "_bom.csv", "w", encoding="utf-8-sig", newline="") as f:
        f.write(text())
    with open(base + "_gb18030.csv", "w", encoding="gb18030", newline="") as f:
        f.write(text())
    with open(base + "_utf16.txt", "wb") as f:
        f.write(b"\xff\xfe" + text("\t").encode("utf-16-le"))
    with gzip.GzipFile(base + "_gz.csv.gz", "wb", mtime=0) as f:
        f.write(text().encode("utf-8"))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "毕业生去向"
    ws.append([title[0]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in data:
        out = []
        for h, v in zip(header, r):
            if v and h in NUMERIC:
                out.append(int(v.replace(",", "")))
            elif v and h in DATES:
                out.append(datetime.date.fromisoformat(v))
            else:
                out.append(v if v else None)
        ws.append(out)
    for row in ws.iter_rows(min_row=3):
        for c in row:
            if isinstance(c.value, datetime.date):
                c.number_format = "yyyy-mm-dd"
    wb.save(base + "_excel.xlsx")


if __name__ == "__main__":
    main()
