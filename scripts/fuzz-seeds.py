#!/usr/bin/env python3
"""Writes fuzzing seeds for one format into a folder: small pages cut from examples/ plus
hand-made shapes (envelopes, single records, nested logs)."""
import os, sys, re
ext, out = sys.argv[1], sys.argv[2]
root = os.path.join(os.path.dirname(__file__), '..')
os.makedirs(out, exist_ok=True)
seeds = []
if ext == 'json':
    text = open(os.path.join(root, 'examples/responses/page-0003.json'), encoding='utf-8').read()
    records = [line.rstrip(',') for line in text.splitlines() if line.startswith('{')]
    for i in range(0, min(len(records), 40), 4):
        seeds.append('[' + ','.join(records[i:i + 4]) + ']')
    seeds += [records[0], '{"Data":[%s]}' % records[1], '{"data":%s}' % records[2], '[]',
              '{"Error":{"Message":"No data found with passed parameters.","Code":400184}}',
              '{"Error":{"Message":"Invalid","Code":"300001"}}']
else:
    text = open(os.path.join(root, 'examples/responses-xml/page-0003.xml'), encoding='utf-8').read()
    records = re.findall(r'<record>.*?</record>', text, re.S)
    for i in range(0, min(len(records), 40), 4):
        seeds.append('<?xml version="1.0"?><Data>' + ''.join(records[i:i + 4]) + '</Data>')
    seeds += [records[0], '<Data/>', '<Error><Message>No data</Message><Code>400184</Code></Error>',
              '<r><id>1</id><date_upload>2026-01-01 00:00:00</date_upload><logs><log><row>2</row><message>x</message></log></logs></r>']
for n, seed in enumerate(seeds):
    with open(os.path.join(out, 'seed-%03d.%s' % (n, ext)), 'w', encoding='utf-8') as f:
        f.write(seed)
