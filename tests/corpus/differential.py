#!/usr/bin/python3
"""differential.py - vqr's readers against trusted ones on other writers' files.

    /usr/bin/python3 tests/corpus/differential.py BUILD [FILE...]

Every .xlsx under tests/corpus/ (each sheet) is read by BUILD/tests/readdump
and by openpyxl (Debian's python3-openpyxl, read_only=True, data_only=True);
every .xls (each sheet) by readdump and by xlrd (Debian's python3-xlrd 1.2,
which reads BIFF2-BIFF8 with the formulas' cached values); every .csv/.tsv
by readdump and by Python's csv module.  Prints TAP: one line
per file.  A file fails when the readers disagree and the disagreement is
not in KNOWN below, when a known difference no longer shows (so the list
stays true), or when readdump crashes, runs over TIMEOUT seconds or its
resident size passes MEM_MB.  Under a sanitizer build (readdump holds
__asan_init) a quarter of the files is read, with no memory bound and five
times the time.

Normalisations (what differs in form only):
  - trailing empty cells of a row, and rows without a non-empty cell, are
    dropped on both sides (vqr's records end at the last non-empty cell);
  - numbers compare by value (vqr writes "1e+16" or "10000000000000000" as
    its shortest form, Python "1e+16"), and a float that is an integer
    as that integer;
  - openpyxl's datetime is written as vqr writes dates: "YYYY-MM-DD", or
    "YYYY-MM-DD HH:MM:SS" (rounded to the second) with a time of day; a
    time "HH:MM:SS"; booleans TRUE / FALSE;
  - xlrd's date cells likewise (a serial below 1 as a time), its booleans
    1 / 0 and its error cells as their text (#DIV/0!), as vqr's .xls
    reader writes them;
  - CSV: Python reads with the delimiter vqr detected (readdump's #format
    line) and the encoding vqr's rules give (BOM, else UTF-8, else
    GB18030); records are compared in order (Python has no start line).
"""
import csv
import datetime
import io
import os
import subprocess
import sys
import threading
import warnings

import openpyxl
import xlrd

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "tests", "corpus")
TIMEOUT = 20
MEM_MB = 64

XLS_BIFF5 = "Excel 5.0/95 (BIFF5) or older: vqr refuses it (documented in xls.h); xlrd reads it"
XLS_FORMULA = "formula cells: libfreexl 1.0.6 gives no cached values, so vqr reads them empty (documented in xls.h); xlrd gives the values"
XLS_TIME = "a time format on a value of a day or more: libfreexl gives the time of day alone (documented in xls.h); xlrd the date and time"

# file (relative to tests/corpus) -> why vqr and the other reader differ,
# vqr being the more correct reader (or the file being outside both).
KNOWN = {
    "calamine/has_x000D_.xlsx": "vqr decodes the OOXML escape _x000D_ to CR (ST_Xstring); "
                                "openpyxl keeps the escape as text",
    "calamine/has_x000D_inline.xlsx": "the same in an inline string",
    "xlsxwriter/shared_strings03.xlsx": "vqr decodes _xFFFE_ to U+FFFE; openpyxl keeps the escape",
    "xlsxwriter/optimize06.xlsx": "_x0000_ is U+0000, which vqr drops (documented in xlsx.h), "
                                  "leaving an empty row; openpyxl keeps the escape as text",
    "xlsxwriter/date_1904_02.xlsx": "serial 0 in the 1904 date system is 1904-01-01, as Excel "
                                    "shows it; openpyxl gives a time 00:00:00",
    "calamine/minimal_package.xlsx": "the cell's format mm\\/dd\\/yy is a date: vqr gives the "
                                     "date, openpyxl (which finds no styles in this minimal "
                                     "package) the serial number",
    "calamine/issue_419.xlsx": "the shared strings entry is named xl/SharedStrings.xml: "
                               "openpyxl looks for the name in another case and fails "
                               "(KeyError); vqr matches part names without regard to case, "
                               "as calamine does",
    "calamine/issue_530.xlsx": "zip entries named with backslashes (xl\\workbook.xml): openpyxl "
                               "fails (KeyError), vqr reads them as calamine does",
    "calamine/issue252.xlsx": "both refuse it: a zip entry inflates past its declared size "
                              "(vqr names it; openpyxl: BadZipFile)",
    "calamine/pass_protected.xlsx": "both refuse it: a password-protected workbook is an OLE2 "
                                    "file (vqr says so, with a hint)",
    "csvkit/test_latin1.csv": "Latin-1 is not an encoding vqr reads: refused with the line and "
                              "byte offset (not valid UTF-8, not valid GB18030)",
    "calamine/biff5-rich-text-string.xls": XLS_BIFF5,
    "calamine/biff5_write.xls": XLS_BIFF5,
    "calamine/empty-string.xls": XLS_BIFF5,
    "calamine/issue_643_biff5_formula.xls": XLS_BIFF5,
    "calamine/malformed_format.xls": XLS_BIFF5,
    "calamine/misc_biff5_parsing.xls": XLS_BIFF5,
    "calamine/ptgexp-truncated-operand.xls": XLS_BIFF5,
    "calamine/xls_cross_sheet_chart.xls": XLS_BIFF5,
    "xlrd/Formate.xls": XLS_BIFF5,
    "calamine/formula-date-format.xls": XLS_FORMULA,
    "calamine/issue_646_unsupported_formula_function.xls": XLS_FORMULA,
    "calamine/issues.xls": XLS_FORMULA,
    "calamine/optional_records.xls": XLS_FORMULA,
    "calamine/xls_formula.xls": XLS_FORMULA,
    "calamine/xls_ref_String.xls": XLS_FORMULA,
    "xlrd/formula_test_names.xls": XLS_FORMULA,
    "xlrd/formula_test_sjmachin.xls": XLS_FORMULA,
    "xlrd/namesdemo.xls": XLS_FORMULA,
    "xlrd/profiles.xls": XLS_FORMULA,
    "libreoffice/errors.xls": XLS_FORMULA,
    "libreoffice/formula.issue.xls": XLS_FORMULA,
    "libreoffice/issue_391.xls": XLS_FORMULA,
    "libreoffice/单元格_lo_2022-2023.xls": XLS_FORMULA,
    "libreoffice/单元格_openpyxl_2022-2023.xls": XLS_FORMULA,
    "calamine/date.xls": XLS_TIME,
    "calamine/date_1904.xls": XLS_TIME,
    "libreoffice/date.xls": XLS_TIME,
    "libreoffice/date_1904.xls": XLS_TIME,
    "calamine/capitalized_wbook_stream.xls": "the workbook stream is named WORKBOOK: libfreexl looks "
                                             "for Workbook or Book only and finds none (vqr refuses "
                                             "the file with that reason); xlrd reads it",
    "calamine/issue_385.xls": "both refuse it: an encrypted workbook (FILEPASS)",
    "calamine/too_small.xls": "68 bytes that are no OLE2 container: xlrd refuses it, vqr takes it "
                              "for what it is, a text file, and reads it as CSV",
    "xlrd/biff4_no_format_no_window2.xls": "a BIFF4 stream without an OLE2 container: vqr takes it "
                                           "for a CSV file and refuses its bytes; xlrd reads it",
    "xlrd/invalid_formula.xls": "xlrd fails on it (AttributeError); vqr reads it",
    "libreoffice/any_sheets.xls": "libfreexl gives no workbook for this LibreOffice file (a "
                                  "chart sheet among its four), as for a BIFF5 one, and vqr "
                                  "refuses it; xlrd reads it",
}


SANITIZED = False       # readdump is built with ASan (main sets it)
MAX_RSS = 0             # the largest peak resident size of readdump so far (KB)


def run_dump(build, path, sheet=None):
    """readdump's output lines; RuntimeError on a crash, hang or too much memory."""
    cmd = [os.path.join(build, "tests", "readdump"), path] + ([sheet] if sheet else [])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    timer = threading.Timer(TIMEOUT * (5 if SANITIZED else 1), p.kill)
    timer.start()
    data, err = p.communicate()
    hung = not timer.is_alive()
    timer.cancel()
    if hung:
        raise RuntimeError("readdump ran over %d s" % TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("readdump exit %s: %s" % (p.returncode, err.decode(errors="replace")[:300]))
    lines = data.decode("utf-8", errors="strict").split("\n")
    # its own peak resident size (kilobytes), its last line
    rss = [int(ln[8:]) for ln in lines if ln.startswith("#maxrss\t")]
    if not rss:
        raise RuntimeError("readdump ended early: %s" % err.decode(errors="replace")[:300])
    global MAX_RSS
    MAX_RSS = max(MAX_RSS, rss[0])
    if not SANITIZED and rss[0] > MEM_MB << 10:
        raise RuntimeError("readdump used %d MB (bound %d MB)" % (rss[0] >> 10, MEM_MB))
    return lines


def unescape(f):
    out, i = [], 0
    while i < len(f):
        c = f[i]
        if c == "\\" and i + 1 < len(f):
            n = f[i + 1]
            if n == "x":
                out.append(chr(int(f[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[n])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_dump(lines):
    """(records as (line, [fields]), error or None, format fields)."""
    recs, error, fmt = [], None, None
    for ln in lines:
        if not ln:
            continue
        if ln.startswith("#error\t"):
            error = unescape(ln[7:])
        elif ln.startswith("#maxrss\t"):
            pass
        elif ln.startswith("#format\t"):
            fmt = ln.split("\t")[1:]
        else:
            parts = ln.split("\t")
            recs.append((int(parts[0]), [unescape(x) for x in parts[1:]]))
    return recs, error, fmt


def trim(fields):
    while fields and fields[-1] == "":
        fields = fields[:-1]
    return fields


def num(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v == v else None


def same_cell(a, b):
    if a == b:
        return True
    x, y = num(a), num(b)
    return x is not None and y is not None and x == y


def xl_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, datetime.datetime):
        v = (v + datetime.timedelta(microseconds=500000)).replace(microsecond=0)
        if (v.hour, v.minute, v.second) == (0, 0, 0):
            return v.strftime("%Y-%m-%d")
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, datetime.time):
        return v.strftime("%H:%M:%S")
    return str(v)


def openpyxl_sheets(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = {}
            for row in ws.iter_rows():
                cells = {}
                for c in row:
                    if getattr(c, "column", None) is None:
                        continue
                    cells[c.column] = xl_value(c.value)
                    rown = c.row
                if not cells:
                    continue
                fields = trim([cells.get(k, "") for k in range(1, max(cells) + 1)])
                if fields:
                    rows[rown] = fields
            out.append((ws.title, rows))
        return out
    finally:
        wb.close()


def diff_records(what, mine, theirs):
    """The first difference of two {key: fields} dicts, or None."""
    for k in sorted(set(mine) | set(theirs), key=lambda x: (isinstance(x, str), x)):
        a, b = mine.get(k), theirs.get(k)
        if a is None or b is None or len(a) != len(b) or not all(map(same_cell, a, b)):
            return "%s row %s: vqr %r, other %r" % (what, k, a, b)
    return None


def check_book(build, path, sheets, other):
    """A workbook: each sheet sheets(path) gives against vqr's records."""
    try:
        theirs = sheets(path)
    except Exception as e:      # the other reader refuses it
        recs, error, _ = parse_dump(run_dump(build, path))
        return "%s cannot read it (%s); vqr: %s" % (other, type(e).__name__, error or "read it")
    for title, rows in theirs:
        recs, error, _ = parse_dump(run_dump(build, path, title))
        if error:
            return "sheet %s: vqr: %s" % (title, error)
        mine = {ln: trim(f) for ln, f in recs if trim(f)}
        d = diff_records("sheet " + title, mine, rows)
        if d:
            return d
    return None


def check_xlsx(build, path):
    return check_book(build, path, openpyxl_sheets, "openpyxl")


def xlrd_value(c, datemode):
    """An xlrd cell as vqr's .xls reader writes it (xls.h)."""
    if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if c.ctype == xlrd.XL_CELL_BOOLEAN:
        return "1" if c.value else "0"
    if c.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(c.value, "#ERR")
    if c.ctype == xlrd.XL_CELL_DATE:
        try:
            if c.value < 1:
                return xl_value(xlrd.xldate.xldate_as_datetime(c.value, datemode).time())
            return xl_value(xlrd.xldate.xldate_as_datetime(c.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return xl_value(c.value)
    return xl_value(c.value)


def xlrd_sheets(path):
    wb = xlrd.open_workbook(path, logfile=io.StringIO())
    try:
        out = []
        for ws in wb.sheets():
            rows = {}
            for r in range(ws.nrows):
                fields = trim([xlrd_value(c, wb.datemode) for c in ws.row(r)])
                if fields:
                    rows[r + 1] = fields
            out.append((ws.name, rows))
        return out
    finally:
        wb.release_resources()


def check_xls(build, path):
    return check_book(build, path, xlrd_sheets, "xlrd")


def decode_like_vqr(raw):
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\0\0", "utf-32-le"),
                     (b"\0\0\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                     (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def check_csv(build, path):
    recs, error, fmt = parse_dump(run_dump(build, path))
    delim = {"comma": ",", "tab": "\t", "semicolon": ";"}.get(fmt[1] if fmt else "", ",")
    try:
        with open(path, "rb") as f:
            text = decode_like_vqr(f.read())
        theirs = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r]
    except (UnicodeDecodeError, csv.Error) as e:
        return "Python cannot read it (%s); vqr: %s" % (e, error or "read it")
    if error:
        return "vqr: %s (Python reads %d records)" % (error, len(theirs))
    mine = [f for _, f in recs]
    return diff_records("record", dict(enumerate(mine)), dict(enumerate(theirs)))


def main():
    global SANITIZED
    warnings.simplefilter("ignore")     # openpyxl's notes on odd styles
    build = sys.argv[1]
    files = sys.argv[2:]
    with open(os.path.join(build, "tests", "readdump"), "rb") as f:
        SANITIZED = b"__asan_init" in f.read()
    if not files:
        for d, _, names in sorted(os.walk(CORPUS)):
            files += [os.path.join(d, n) for n in sorted(names)
                      if n.endswith((".xlsx", ".xls", ".csv", ".tsv"))]
        if SANITIZED:
            files = files[::4]  # a quarter of the corpus: the sanitizers are slow
    print("1..%d" % len(files))
    bad = 0
    for i, path in enumerate(files, 1):
        rel = os.path.relpath(path, CORPUS)
        try:
            d = (check_xlsx if path.endswith(".xlsx") else
                 check_xls if path.endswith(".xls") else check_csv)(build, path)
        except RuntimeError as e:
            d = "CRASH/HANG/MEMORY: %s" % e
        known = KNOWN.get(rel)
        if d and known and not d.startswith("CRASH"):
            print("ok %d - %s # known: %s" % (i, rel, known))
        elif not d and known:
            bad += 1
            print("not ok %d - %s: listed as a known difference but the readers agree" % (i, rel))
        elif d:
            bad += 1
            print("not ok %d - %s\n#   %s" % (i, rel, d[:600].replace("\n", "\n#   ")))
        else:
            print("ok %d - %s" % (i, rel))
    print("# largest peak resident size of readdump: %d KB" % MAX_RSS)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
