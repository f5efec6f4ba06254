#!/usr/bin/env python3
"""The rules of `cg-revenue check` in plain Python, for scripts/bench.sh to time against: CSV
through the csv module, XLSX through openpyxl in read-only mode, XLS through xlrd. Prints the
problem count.
    scripts/bench-check-python.py FILE"""
import csv, datetime, re, sys

TYPES = {"arr", "mrr", "one time", "other"}
WHOLE = re.compile(r"-?[0-9]+")
NAMES = ["accountname", "revenueamount", "revenuestartdate", "revenueenddate", "revenuetype", "description"]


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    try:
        text = as_text(value).strip()
        return datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def rows(path):
    if path.endswith(".xls"):
        import xlrd
        book = xlrd.open_workbook(path)
        sheet = book.sheet_by_index(0)
        for number in range(sheet.nrows):
            cells = []
            for cell in sheet.row(number):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                else:
                    cells.append(cell.value)
            yield number + 1, cells
        return
    if path.endswith(".xlsx"):
        import openpyxl
        book = openpyxl.load_workbook(path, read_only=True)
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, list(row)
    else:
        with open(path, newline="", encoding="utf-8-sig") as f:
            first = f.readline()
            f.seek(0)
            delimiter = ";" if first.count(";") > first.count(",") else ","
            for number, row in enumerate(csv.reader(f, delimiter=delimiter), start=1):
                yield number, row


problems = warnings = records = 0
accounts, seen = {}, set()
for number, cells in rows(sys.argv[1]):
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    if not cells:
        continue
    if number == 1 and [re.sub(r"[ _]", "", as_text(c).lower()) for c in cells[:6]] == NAMES[:len(cells[:6])]:
        continue
    records += 1
    if not 5 <= len(cells) <= 6:
        problems += 1
        continue
    name = as_text(cells[0]).strip()
    problems += not name
    amount = cells[1]
    problems += not (isinstance(amount, int) or (isinstance(amount, float) and amount == int(amount)) or WHOLE.fullmatch(as_text(amount).strip()))
    start, end = date(cells[2]), date(cells[3])
    problems += (start is None) + (end is None) + (start is not None and end is not None and end < start)
    problems += as_text(cells[4]).strip().lower() not in TYPES
    key = name.lower()
    if key in accounts and accounts[key] != name:
        warnings += 1
    accounts.setdefault(key, name)
    values = tuple(as_text(c) for c in cells)
    warnings += values in seen
    seen.add(values)
problems += records == 0 or records > 1000
print(records, problems, warnings)
