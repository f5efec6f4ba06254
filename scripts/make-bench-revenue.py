#!/usr/bin/env python3
"""A revenue file of N records for scripts/bench.sh (a few problems and warnings among them),
as CSV, XLSX (openpyxl) or XLS (xlwt: at most 65,535 records) by FILE's extension:
scripts/make-bench-revenue.py N FILE"""
import csv, datetime, random, sys

count, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
types = ["ARR", "MRR", "One Time", "Other", "arr"]
def row(i):
    start = datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300)
    end = start + datetime.timedelta(days=30 + i % 60)
    amount = str(100 + i % 9000) if i % 97 else "1,234"
    return [f"Account {i % 5000}", amount, start.isoformat(), end.isoformat(), types[i % 5], f"line {i}"]
header = ["account name", "revenue amount", "revenue start date", "revenue end date", "revenue type", "description"]
if path.endswith(".xls"):
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Revenue")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, name in enumerate(header):
        sheet.write(0, column, name)
    for i in range(min(count, 65535)):
        cells = row(i)
        sheet.write(i + 1, 0, cells[0])
        sheet.write(i + 1, 1, int(cells[1]) if cells[1].isdigit() else cells[1])
        sheet.write(i + 1, 2, datetime.date.fromisoformat(cells[2]), date_style)
        sheet.write(i + 1, 3, datetime.date.fromisoformat(cells[3]), date_style)
        sheet.write(i + 1, 4, cells[4])
        sheet.write(i + 1, 5, cells[5])
    book.save(path)
elif path.endswith(".xlsx"):
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Revenue")
    sheet.append(header)
    for i in range(count):
        cells = row(i)
        sheet.append([cells[0], int(cells[1]) if cells[1].isdigit() else cells[1],
                      datetime.date.fromisoformat(cells[2]), datetime.date.fromisoformat(cells[3]), cells[4], cells[5]])
    book.save(path)
else:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        for i in range(count):
            writer.writerow(row(i))
