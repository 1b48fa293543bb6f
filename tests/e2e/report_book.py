#!/usr/bin/env python3
"""report_book.py - read back the workbook of `vqr report --format xlsx`
and compare it cell by cell with the same report in Markdown and with
the database's values.

    python3 report_book.py BOOK.xlsx REPORT.md DBVALUES SCHOOL_NAME YEAR
    python3 report_book.py --csv REPORT.csv REPORT.md

DBVALUES holds the school's values of the year, one a line (psql -At).
Prints one line per problem and, last, "sheets S cells C numbers N
percents P comments M notes K"; exits 1 when there was a problem.
With --csv: the CSV report (UTF-8 with a byte-order mark) against the
Markdown one: each figure a bare number (a percentage with its %), each
mark in the column 注 after its figure; last "numbers N marks M".
"""
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

import openpyxl

MARKS = "†‡§¶"
problems = []


def bad(msg):
    problems.append(msg)


def md_cells(line):
    """The cells of a Markdown table line (\\| is a literal bar)."""
    cells, cur, i = [], "", 1
    while i < len(line) - 1:
        if line[i] == "\\":
            cur += line[i + 1]
            i += 2
            continue
        if line[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += line[i]
        i += 1
    cells.append(cur.strip())
    return cells


def md_tables(path):
    """[(title, header cells, rows, notes)] of a report in Markdown."""
    tables, cur = [], None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("## "):
            cur = [line[3:], None, [], []]
            tables.append(cur)
        elif cur is None or not line:
            continue
        elif line.startswith("|") and cur[1] is None:
            cur[1] = md_cells(line)
        elif line.startswith("|") and set(line) <= set("|-:"):
            continue
        elif line.startswith("|"):
            cur[2].append(md_cells(line))
        else:
            cur[3].append(line)
    return tables


def shown(value, fmt):
    """A number as Excel shows it with number format fmt."""
    pct = "%" in fmt.replace('"%"', "")
    m = re.search(r"0(\.0+)?", fmt.replace('"', "\x00"))
    dec = len(m.group(1)) - 1 if m and m.group(1) else 0
    v = Decimal(repr(value)) * (100 if pct else 1)
    text = str(v.quantize(Decimal(1).scaleb(-dec), rounding=ROUND_HALF_UP))
    pre, suf = fmt[:m.start()].replace('"', ""), fmt[m.end():].replace('"', "")
    return pre + text + suf, dec, pct


def main(book, md, dbvalues, school, year):
    wb = openpyxl.load_workbook(book)
    db = [Decimal(v) for v in open(dbvalues, encoding="utf-8").read().split()]
    names = wb.sheetnames
    counts = dict(sheets=len(names), cells=0, numbers=0, percents=0, comments=0, notes=0)
    for n in names:
        if len(n) > 31 or re.search(r"[\[\]:*?/\\]", n):
            bad(f"sheet name {n!r} is not a valid Excel name")
    if len({n.lower() for n in names}) != len(names):
        bad("sheet names are not unique")
    blocks = md_tables(md)
    tables = [b for b in blocks if b[1] is not None]
    texts = [b for b in blocks if b[1] is None]
    want = len(tables) + (1 if texts else 0) + 1
    if names[-1] != "说明" or len(names) != want or (texts and names[-2] != "文字"):
        bad(f"sheets {names}: want one per table ({len(tables)}), 文字 for the text blocks, 说明 last")
    for (title, head, rows, notes), ws in zip(tables, wb.worksheets):
        check_table(ws, title, head, rows, notes, db, counts)
    if texts and "文字" in names:
        check_texts(wb["文字"], texts, counts)
    about = {wb["说明"].cell(r, 1).value: wb["说明"].cell(r, 2).value for r in range(1, 10)}
    if about.get("学校 / school") != school or about.get("学年 / academic year") != year:
        bad(f"说明: {about}")
    for p in problems:
        print(p)
    print(" ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if problems else 0


def md_plain(s):
    """Markdown text without its backslash escapes."""
    return re.sub(r"\\(.)", r"\1", s)


def check_texts(ws, texts, counts):
    """Each text block: its title, then its paragraph and its notes, in
    column A of the sheet 文字."""
    col = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    for title, _, _, lines in texts:
        if title not in col:
            bad(f"文字: no block {title!r}")
            continue
        i = col.index(title)
        for k, line in enumerate(lines, 1):
            if i + k >= len(col) or (col[i + k] or "").replace("\n", " ") != md_plain(line):
                bad(f"文字: under {title!r}, line {k} {col[i + k] if i + k < len(col) else None!r}, want {line!r}")
        counts["texts"] = counts.get("texts", 0) + 1


def header_of(ws, c, groups):
    """The Markdown header of column c: "group head" or "head"."""
    head = ws.cell(4 if groups else 3, c).value
    if not groups:
        return head
    for rng in ws.merged_cells.ranges:
        if rng.min_row == 3 and rng.min_col <= c <= rng.max_col:
            top = ws.cell(3, rng.min_col).value
            return top if rng.max_row == 4 else f"{top} {head}"
    top = ws.cell(3, c).value
    return f"{top} {head}" if top else head


def check_cell(ws, r, c, want, notes, db, counts, where):
    cell = ws.cell(r, c)
    mark = want[len(want.rstrip(MARKS)):]
    want = want.rstrip(MARKS)
    counts["cells"] += 1
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        text, dec, pct = shown(cell.value, cell.number_format)
        counts["numbers"] += 1
        counts["percents"] += pct
        if text != want and not (pct and text == want + "%"):
            bad(f"{where}: {cell.value} as {cell.number_format!r} shows {text}, the report {want}")
        num = Decimal(repr(cell.value)) * (100 if pct else 1)
        q = Decimal(1).scaleb(-dec)
        if not any(abs(v.quantize(q, rounding=ROUND_HALF_UP) - num) < q / 2 for v in db):
            bad(f"{where}: {want} is no value of the database")
    elif (cell.value or "") != want:
        bad(f"{where}: {cell.value!r}, the report {want!r}")
    if mark:
        note = next((n for n in notes if n.startswith(mark + " ")), None)
        if not cell.comment or cell.comment.text.strip() != note:
            bad(f"{where}: comment {cell.comment.text if cell.comment else None!r}, want {note!r}")
        else:
            counts["comments"] += 1
    elif cell.comment:
        bad(f"{where}: a comment without a mark")


def check_table(ws, title, head, rows, notes, db, counts):
    if ws["A1"].value != title:
        bad(f"{ws.title}: A1 {ws['A1'].value!r}, want {title!r}")
    # one header row when row 3 is the header itself, else a row of group labels above it
    groups = any(ws.cell(3, c).value != h for c, h in enumerate(head, 1))
    for c, h in enumerate(head, 1):
        if header_of(ws, c, groups) != h:
            bad(f"{ws.title}: header {c} {header_of(ws, c, groups)!r}, want {h!r}")
    first = 5 if groups else 4
    for i, row in enumerate(rows):
        for c, want in enumerate(row, 1):
            check_cell(ws, first + i, c, want, notes, db, counts, f"{ws.title}!{ws.cell(first + i, c).coordinate}")
    below = [ws.cell(r, 1).value for r in range(first + len(rows), ws.max_row + 1)]
    for n in notes:
        if n not in below:
            bad(f"{ws.title}: note {n!r} is not under the table")
        counts["notes"] += 1


def csv_tables(path):
    """[(title, header, rows, notes)] of a CSV report (blank-line separated)."""
    import csv
    raw = open(path, encoding="utf-8", newline="").read()
    if not raw.startswith("\ufeff"):
        bad("no byte-order mark")
    tables, cur = [], None
    for row in csv.reader(raw.lstrip("\ufeff").splitlines()):
        if not row:
            cur = None
        elif cur is None:
            cur = [row[0], None, [], []]
            tables.append(cur)
        elif cur[1] is None:
            cur[1] = row
        elif len(row) == 1 and len(cur[1]) > 1:
            cur[3].append(row[0])
        else:
            cur[2].append(row)
    return [t for t in tables if t[1] is not None and len(t[1]) > 1]


def check_csv(path, md):
    counts = dict(numbers=0, marks=0)
    tables = [b for b in md_tables(md) if b[1] is not None]
    got = csv_tables(path)
    if [t[0] for t in got] != [t[0] for t in tables]:
        bad(f"CSV titles {[t[0] for t in got]}")
    for (title, head, rows, notes), (_, chead, crows, cnotes) in zip(tables, got):
        if head is None:
            # a text block: its paragraph on the line after the title
            if [md_plain(chead[0]).replace("\n", " ")] != [md_plain(n) for n in notes[:1]]:
                bad(f"{title}: CSV paragraph {chead!r}, the report {notes[:1]!r}")
            continue
        cols = [i for i, h in enumerate(chead) if h != "注"]
        if [chead[i] for i in cols] != head or cnotes != notes or len(crows) != len(rows):
            bad(f"{title}: CSV header {chead}, notes {cnotes}, {len(crows)} rows")
            continue
        for row, crow in zip(rows, crows):
            for want, i in zip(row, cols):
                mark = want[len(want.rstrip(MARKS)):]
                want = want.rstrip(MARKS)
                cell = crow[i]
                note = crow[i + 1] if i + 1 < len(chead) and chead[i + 1] == "注" else ""
                if cell != want or note != mark:
                    bad(f"{title}: CSV {cell!r} {note!r}, the report {want!r}{mark}")
                if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?%?", cell):
                    counts["numbers"] += 1
                elif any(m in cell for m in MARKS):
                    bad(f"{title}: a mark inside {cell!r}")
                counts["marks"] += note != ""
    for p in problems:
        print(p)
    print(" ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "--csv":
        sys.exit(check_csv(*sys.argv[2:]))
    sys.exit(main(*sys.argv[1:]))
