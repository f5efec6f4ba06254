#!/usr/bin/env python3
"""The job done the way a plain Python script would: json and csv modules, rows sorted by
date_upload then id, the same CSV columns as cg-revenue. Usage: bench-python.py PAGES_DIR OUT.csv"""
import csv, glob, json, os, sys

rows = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    with open(path, encoding='utf-8') as f:
        page = json.load(f)
    if isinstance(page, dict):
        page = page.get('Data', page.get('data', [page]))
    for r in page:
        rows.setdefault(int(r['id']), r)

def rate(r):
    total, ok = r.get('total_records'), r.get('successful_records')
    if total in (None, '', '0', 0) or ok in (None, ''):
        return ''
    return '%.4f' % (int(ok) / int(total))

with open(sys.argv[2], 'w', newline='', encoding='utf-8') as out:
    w = csv.writer(out)
    w.writerow(['id', 'status', 'source_filename', 'date_upload', 'total_records', 'successful_records',
                'unsuccessful_records', 'success_rate', 'log_count', 'logs'])
    for key in sorted(rows, key=lambda k: (rows[k]['date_upload'], k)):
        r = rows[key]
        logs = r.get('logs') or []
        w.writerow([key, r.get('status'), r.get('source_filename'), r['date_upload'].replace(' ', 'T') + 'Z',
                    r.get('total_records'), r.get('successful_records'), r.get('unsuccessful_records'), rate(r),
                    len(logs), json.dumps(logs, separators=(',', ':'), ensure_ascii=False)])
