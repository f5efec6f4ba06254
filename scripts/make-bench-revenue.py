#!/usr/bin/env python3
"""A revenue file of N records for scripts/bench.sh (a few problems and warnings among them),
as CSV or XLSX by FILE's extension: scripts/make-bench-revenue.py N FILE"""
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
if path.endswith(".xlsx"):
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
