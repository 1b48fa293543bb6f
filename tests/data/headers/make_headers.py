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
    教师结构_2022-2023.xls    that workbook saved as Excel 97-2003 by
                              LibreOffice headless (libfreexl, which reads
                              it, gives no merged ranges)
    学生资助_2022-2023.csv    two semesters over the same two columns, a
                              bad row (line 6), a total row
    资助合计_2022-2023.xlsx   merged ranges that the rule for empty cells
    资助合计_2022-2023.csv    (CSV, .xls) reads otherwise: 学年 merged down
                              with an empty unmerged cell right of it, the
                              group 2022年秋期 merged over C:D (not at the
                              left) with an empty unmerged cell right of it
                              over the year's 免学费; the CSV holds the
                              same cells (as Excel's CSV export)

    /usr/bin/python3 tests/data/headers/make_headers.py   # Debian: python3-openpyxl

Expected values are in tests/e2e/header_rows.t (the figures of the seed
report: 43 高级技师, 86 技师, 168 高级工; 3685/1448 and 3394/909).
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

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


TOTALS = [["学年", None, "2022年秋期", None, None],
          [None, "人数", "免学费", "免住宿费", "免学费"],
          ["2022-2023", 5123, 3685, 1448, 7079]]


def aid_totals():
    """资助合计: the merged ranges decide the columns' paths."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资助合计"
    for r in TOTALS:
        ws.append(r)
    ws.merge_cells("A1:A2")                  # merged down; B1 empty, not merged
    ws.merge_cells("C1:D1")                  # a group not at the left; E1 empty, not merged
    out = os.path.join(HERE, "资助合计_2022-2023.xlsx")
    wb.save(out)
    _fix_zip_times(out)
    write_csv("资助合计_2022-2023.csv", [["" if v is None else v for v in r] for r in TOTALS])


def libreoffice_xls(src):
    """src saved as .xls beside it by LibreOffice headless."""
    tmp = tempfile.mkdtemp()
    try:
        subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", tmp, src],
                       check=True, env=dict(os.environ, HOME=tmp), stdout=subprocess.DEVNULL)
        name = os.path.splitext(os.path.basename(src))[0] + ".xls"
        shutil.move(os.path.join(tmp, name), os.path.join(HERE, name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    write_csv("教师结构_2022-2023.csv", [[TITLE], GROUPS, NAMES] + STAFF)
    staff_xlsx()
    libreoffice_xls(os.path.join(HERE, "教师结构_2022-2023.xlsx"))
    aid_totals()
    write_csv("学生资助_2022-2023.csv", [
        ["学年", "2022年秋期", "", "2023年春期", ""],
        ["", "免学费", "免住宿费", "免学费", "免住宿费"],
        ["2022-2023", "3685", "1448", "3394", "909"],
        ["2022-2023", "1", "2", "3", "4"],
        ["2022-2023", "十", "2", "3", "4"],             # line 5: not a number
        ["合计", "3686", "1450", "3397", "913"],        # a total row: skipped
    ])


if __name__ == "__main__":
    main()
