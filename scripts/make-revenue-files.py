#!/usr/bin/env python3
"""Makes examples/revenue-files/: a clean revenue file and one with every kind of problem that
`cg-revenue check` finds, each in the four formats CustomerGauge takes (CSV, XLSX, XLS, XML),
with the same rows in each; and unknown-accounts.csv, clean to `check` but naming two accounts
the sandbox does not know (the README's "The monthly upload"). Needs openpyxl (XLSX) and xlwt (XLS): pip install openpyxl xlwt."""
import csv, datetime, os, pathlib, sys

import openpyxl
import xlwt

out = pathlib.Path(__file__).resolve().parent.parent / "examples" / "revenue-files"
out.mkdir(parents=True, exist_ok=True)
HEADER = ["Account Name", "Revenue Amount", "Revenue Start Date", "Revenue End Date", "Revenue Type", "Description"]

CLEAN = [
    ["Acme Corp", "1200", "2026-01-01", "2026-12-31", "ARR", "renewal"],
    ["Beta GmbH", "450", "2026-01-01", "2026-01-31", "MRR", "monthly plan"],
    ["Gamma Ltd", "9800", "2026-02-15", "2026-02-15", "One Time", "setup fee"],
    ["Delta SA", "-50", "2026-03-01", "2026-03-31", "other", "credit note"],
    ["Epsilon BV", "3000", "2026-01-01", "2026-06-30", "ARR", ""],
]

# Each row of the problem file, and what it plants (row numbers as a spreadsheet shows them: the header is row 1).
PROBLEMS = [
    (["Acme Corp", "1200", "2026-01-01", "2026-12-31", "ARR", "renewal"], "clean"),
    (["Beta GmbH", "1,234", "2026-01-01", "2026-12-31", "MRR", "thousands separator"], "amount"),
    (["Gamma Ltd", 1234.12, "2026-01-01", "2026-12-31", "ARR", "decimals"], "amount"),
    (["Delta SA", "€12", "2026-01-01", "2026-12-31", "ARR", "currency sign"], "amount"),
    (["Epsilon BV", "12 000", "2026-01-01", "2026-12-31", "ARR", "space in the amount"], "amount"),
    (["", "500", "2026-01-01", "2026-12-31", "ARR", "no account name"], "account-name"),
    (["Zeta Inc", "100", "2026-02-30", "2026-12-31", "ARR", "no such day"], "start-date"),
    (["Eta Co", "100", "30-01-2026", "2026-12-31", "ARR", "day first"], "start-date"),
    (["Theta AG", "100", "2026-01-01", "2026/01/30", "ARR", "slashes"], "end-date"),
    (["Iota Oy", "100", "2026-06-01", "2026-01-01", "ARR", "ends before it starts"], "date-order"),
    (["Kappa AB", "100", "2026-01-01", "2026-12-31", "Yearly", "not a revenue type"], "revenue-type"),
    (["Lambda LLC", "100", "2026-01-01", "2026-12-31"], "columns"),
    (["acme corp", "300", "2026-01-01", "2026-12-31", "MRR", "other capitals"], "account-case"),
    (["Acme Corp", "1200", "2026-01-01", "2026-12-31", "ARR", "renewal"], "duplicate-row"),
    (["Mu SpA", "", "2026-01-01", "2026-12-31", "ARR", "no amount"], "amount"),
    (["Nu Kft", "-75", "2026-04-01", "2026-04-30", " one time ", "a credit, any case"], "clean"),
]


def is_date(text):
    try:
        datetime.date.fromisoformat(text)
        return len(text) == 10
    except (TypeError, ValueError):
        return False


def write_csv(name, rows, delimiter=","):
    with open(out / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(["%g" % c if isinstance(c, float) else c for c in row])


def write_xlsx(name, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Revenue"
    sheet.append(HEADER)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value == "":
                continue  # an empty cell is no cell
            cell = sheet.cell(row=r, column=c)
            if c == 2 and isinstance(value, str) and value.lstrip("-").isdigit():
                cell.value = int(value)  # amounts as number cells
            elif c in (3, 4) and is_date(value):
                cell.value = datetime.date.fromisoformat(value)  # real dates as date cells
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = value
    book.properties.created = datetime.datetime(2026, 1, 1)
    book.properties.modified = datetime.datetime(2026, 1, 1)
    book.save(out / name)


def write_xls(name, rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Revenue")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, value in enumerate(HEADER):
        sheet.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value == "":
                continue
            if c == 1 and isinstance(value, str) and value.lstrip("-").isdigit():
                sheet.write(r, c, int(value))
            elif c == 1 and isinstance(value, float):
                sheet.write(r, c, value)
            elif c in (2, 3) and is_date(value):
                sheet.write(r, c, datetime.date.fromisoformat(value), dates)
            else:
                sheet.write(r, c, value)
    book.save(str(out / name))


def write_xml(name, rows):
    from xml.sax.saxutils import escape
    fields = ["account_name", "revenue_amount", "revenue_start_date", "revenue_end_date", "revenue_type", "description"]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<revenue>"]
    for row in rows:
        cells = "".join("<%s>%s</%s>" % (fields[c], escape("%g" % v if isinstance(v, float) else v), fields[c]) for c, v in enumerate(row))
        lines.append("  <record>%s</record>" % cells)
    lines.append("</revenue>")
    (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


for stem, rows in (("clean", CLEAN), ("problems", [row for row, _ in PROBLEMS])):
    write_csv(stem + ".csv", rows)
    write_xlsx(stem + ".xlsx", rows)
    write_xls(stem + ".xls", rows)
    write_xml(stem + ".xml", rows)
write_csv("clean-semicolon.csv", CLEAN, delimiter=";")
# Clean to `check`, but two accounts the sandbox (cg-sandbox) does not know: what `upload --wait` shows.
write_csv("unknown-accounts.csv", CLEAN[:2] + [
    ["Omega Holdings", "700", "2026-01-01", "2026-12-31", "ARR", "new customer"],
    ["Gamma Ltd", "150", "2026-03-01", "2026-03-31", "MRR", "add-on"],
    ["Sigma Partners", "2500", "2026-02-01", "2026-02-01", "One Time", "onboarding"],
])
print("wrote", ", ".join(sorted(p.name for p in out.iterdir())))
