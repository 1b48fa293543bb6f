#!/usr/bin/python3
"""make_headers.py - write the two-header-row summary tables that
tests/e2e/header_rows.t reads with the sources in sources.yaml: the seed
report's 表2-3 (teachers by 职业资格 and 职称, group titles over their
columns) and 5.1 (student aid by semester: 2022年秋期 / 2023年春期 over
免学费 / 免住宿费), as a summary-sheet export writes them:

    教师结构_2022-2023.csv    title row, two header rows, the group title
                              once over its columns (the cells right of it
                              empty), as Excel's CSV export of merged cells
    教师结构_2022-2023.xlsx   the same with merged ranges (openpyxl)
    学生资助_2022-2023.csv    two semesters over the same two columns, a
                              bad row (line 6), a total row

    /usr/bin/python3 tests/data/headers/make_headers.py   # Debian: python3-openpyxl

Expected values are in tests/e2e/header_rows.t (the figures of the seed
report: 43 高级技师, 86 技师, 168 高级工; 3685/1448 and 3394/909).
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "fixtures"))
from exportlib import _fix_zip_times  # noqa: E402

TITLE = "表2-3 2023年教师结构一览表（单位：人）"
GROUPS = ["统计学年", "文化课教师", "专业课教师", "思政课教师", "职业资格", "", "", "职称", "", ""]
NAMES = ["", "", "", "", "高级技师", "技师", "高级工", "初级职称", "中级职称", "高级及以上职称"]
STAFF = [["2022-2023", 74, 321, 10, 43, 86, 168, 181, 103, 53]]


def write_csv(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def staff_xlsx():
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表2-3"
    ws.append([TITLE])
    ws.merge_cells("A1:J1")
    ws.append([g or None for g in GROUPS])
    ws.append([n or None for n in NAMES])
    for col in "ABCD":                       # titles merged down over both rows
        ws.merge_cells("%s2:%s3" % (col, col))
    ws.merge_cells("E2:G2")
    ws.merge_cells("H2:J2")
    for r in STAFF:
        ws.append(r)
    out = os.path.join(HERE, "教师结构_2022-2023.xlsx")
    wb.save(out)
    _fix_zip_times(out)


def main():
    write_csv("教师结构_2022-2023.csv", [[TITLE], GROUPS, NAMES] + STAFF)
    staff_xlsx()
    write_csv("学生资助_2022-2023.csv", [
        ["学年", "2022年秋期", "", "2023年春期", ""],
        ["", "免学费", "免住宿费", "免学费", "免住宿费"],
        ["2022-2023", "3685", "1448", "3394", "909"],
        ["2022-2023", "1", "2", "3", "4"],
        ["2022-2023", "十", "2", "3", "4"],             # line 5: not a number
        ["合计", "3686", "1450", "3397", "913"],        # a total row: skipped
    ])


main()
