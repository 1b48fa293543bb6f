#!/usr/bin/python3
"""make_workbooks.py - write the openpyxl-made test workbooks that
tests/unit/test_xlsx.c reads (besides the ones it builds itself with
minizip), so the reader is also checked on files a real writer made.

    /usr/bin/python3 tests/data/xlsx/make_workbooks.py    # Debian: python3-openpyxl

The output is committed; rerun only to change it (openpyxl stamps the
creation time, so the bytes change on every run).  Expected values are in
test_xlsx.c (test_openpyxl).
"""
import datetime
import os

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = os.path.dirname(os.path.abspath(__file__))


def graduates():
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "字典"                        # a hidden list sheet first
    for v in ["就业", "升学", "待就业"]:
        hidden.append([v])
    hidden.sheet_state = "hidden"

    ws = wb.create_sheet("毕业生")
    ws["A1"] = "2022-2023学年毕业生去向登记表"     # title row above the header
    ws.merge_cells("A1:F1")
    ws.append(["学号", "姓名", "毕业日期", "起薪（元/月）", "是否对口", "备注"])
    ws.append(["2020010001", "张三", datetime.date(2023, 6, 30), 4500, True, "双证"])
    ws.append([2020010002, "李四", datetime.datetime(2023, 6, 30, 8, 30), 4090.5, False, None])
    ws.append([])                                 # an absent row
    ws.append(["2020010003", "王五", "2023-07-01", -1.25, "=D3+D4", "A&B<C> 中"])
    ws.append([None, None, datetime.time(8, 30), None, None, "  两边空格  "])
    ws.append([1e20, 0.1, 1 / 3, 123456789012345, None, "行1\n行2"])
    ws["H9"] = "稀疏"                             # sparse: H9 only after F8
    wb.save(os.path.join(HERE, "graduates_openpyxl.xlsx"))


def date1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Mac"
    ws.append(["日期", "时间"])
    ws.append([datetime.date(2023, 6, 30), datetime.datetime(1904, 1, 1, 12, 0)])
    wb.save(os.path.join(HERE, "date1904_openpyxl.xlsx"))


def sparse_register():
    """A register whose last column is empty in some rows: those sheet rows
    end early (tests/cli/xlsx_rows.t)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "毕业生去向"
    ws.append(["学号", "姓名", "专业名称", "毕业日期", "毕业去向类别", "就业单位名称"])
    ws.append(["2020010001", "张三", "数控加工", datetime.date(2023, 6, 30), "就业", "重庆某机械有限公司"])
    ws.append(["2020010002", "李四", "汽车维修", datetime.date(2023, 6, 30), "升学", None])
    ws.append(["2020010003", "王五", "会计", datetime.date(2023, 6, 30), "待就业"])
    wb.save(os.path.join(HERE, "毕业生去向登记表_sparse.xlsx"))


if __name__ == "__main__":
    graduates()
    date1904()
    sparse_register()
