"""make_sheets.py - the workbook of several sheets of tests/e2e/sheets.t,
written by the project's fixture writer (fixtures/exportlib.py):

    学生工作台账_2022-2023.xlsx
        学生活动   the seed college's student activities of 2022-2023 (the
                   rows of fixtures/CQGYGJ/2022-2023/学生活动登记_2022-2023.csv)
                   under a title row, and one more row whose 活动规模 is
                   not a scale (a reject naming this sheet)
        社团名册   its student clubs (学生社团名册_2022-2023.csv, GB18030)
        填表说明   notes for whoever fills the workbook in: no source reads it

make_sheets.sh runs this, then has LibreOffice write the same workbook as
.xlsx and as .xls.  Run with Debian's python3 (python3-openpyxl).
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "fixtures"))
from exportlib import write_workbook  # noqa: E402

SEED = os.path.join(TOP, "fixtures", "CQGYGJ", "2022-2023")
BAD_ACTIVITY = ["校园歌手大赛", "校园文化", "超大型", "2023-05-20", "2023-05-20", "学生会", "300"]


def read_csv(name, encoding):
    with open(os.path.join(SEED, name), encoding=encoding, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def main():
    ahead, arows = read_csv("学生活动登记_2022-2023.csv", "utf-8")
    chead, crows = read_csv("学生社团名册_2022-2023.csv", "gb18030")
    notes = [["1", "学生活动：每项活动一行，活动规模填大型、中型或小型"],
             ["2", "社团名册：统计日期填学年末（8月31日）"]]
    write_workbook(os.path.join(HERE, "学生工作台账_2022-2023"), [
        ("学生活动", "重庆市工业高级技工学校学生活动登记（2022-2023学年）", ahead, arows + [BAD_ACTIVITY],
         {"参与人数"}, {"开始日期", "结束日期"}),
        ("社团名册", None, chead, crows, {"成员数"}, {"统计日期"}),
        ("填表说明", "填表说明", ["序号", "说明"], notes, (), ()),
    ])


if __name__ == "__main__":
    main()
