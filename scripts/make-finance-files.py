#!/usr/bin/env python3
"""Makes Tests/RevenueReportTests/Fixtures/finance/: revenue files as a finance user saves them from
LibreOffice (or Excel), for the tests of `check` and `upload`. Each sheet is written as a flat
OpenDocument spreadsheet (.fods: typed cells, formulas, number formats, as a user would type them)
and saved by LibreOffice itself (`soffice --headless --convert-to`) as XLSX, XLS and CSV: the files
are LibreOffice's, not our writer's. Needs LibreOffice (Debian: libreoffice-calc-nogui).

    scripts/make-finance-files.py [OUT_DIR]
"""
import os, pathlib, shutil, subprocess, sys, tempfile
from xml.sax.saxutils import escape

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "Tests" / "RevenueReportTests" / "Fixtures" / "finance"
out.mkdir(parents=True, exist_ok=True)
soffice = shutil.which("soffice") or shutil.which("libreoffice")
if not soffice:
    sys.exit("make-finance-files: soffice not found (Debian: apt-get install libreoffice-calc-nogui)")

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="iso"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <number:date-style style:name="isotime"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
 <number:currency-style style:name="euro"><number:currency-symbol>€</number:currency-symbol><number:number number:decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:currency-style>
 <style:style style:name="date" style:family="table-cell" style:data-style-name="iso"/>
 <style:style style:name="datetime" style:family="table-cell" style:data-style-name="isotime"/>
 <style:style style:name="money" style:family="table-cell" style:data-style-name="euro"/>
</office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="Revenue">
"""
TAIL = "</table:table></office:spreadsheet></office:body></office:document>\n"


def attr(text):
    """Text for an attribute value in double quotes."""
    return escape(text, {'"': "&quot;"})


def cell(value):
    """A cell as a user types it: text, a number, ('date', 'YYYY-MM-DD'), ('datetime', 'YYYY-MM-DDTHH:MM:SS'),
    ('money', 1200), ('formula', '=1000*1.19', cached number), ('dateformula', '=D3+30', 'YYYY-MM-DD'), and
    formulas whose value is text, a boolean or an error."""
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "date":
            return f'<table:table-cell table:style-name="date" office:value-type="date" office:date-value="{value[1]}"><text:p>{value[1]}</text:p></table:table-cell>'
        if kind == "datetime":
            return f'<table:table-cell table:style-name="datetime" office:value-type="date" office:date-value="{value[1]}"><text:p>{value[1]}</text:p></table:table-cell>'
        if kind == "money":
            return f'<table:table-cell table:style-name="money" office:value-type="currency" office:currency="EUR" office:value="{value[1]}"><text:p>€{value[1]}</text:p></table:table-cell>'
        if kind == "formula":
            return f'<table:table-cell table:formula="of:{attr(value[1])}" office:value-type="float" office:value="{value[2]}"><text:p>{value[2]}</text:p></table:table-cell>'
        if kind == "textformula":
            return f'<table:table-cell table:formula="of:{attr(value[1])}" office:value-type="string" office:string-value="{attr(value[2])}"><text:p>{escape(value[2])}</text:p></table:table-cell>'
        if kind == "boolformula":
            return f'<table:table-cell table:formula="of:{attr(value[1])}" office:value-type="boolean" office:boolean-value="{value[2]}"><text:p>TRUE</text:p></table:table-cell>'
        if kind == "errorformula":
            return f'<table:table-cell table:formula="of:{attr(value[1])}" office:value-type="string" office:string-value=""><text:p>#DIV/0!</text:p></table:table-cell>'
        if kind == "dateformula":
            return f'<table:table-cell table:style-name="date" table:formula="of:{attr(value[1])}" office:value-type="date" office:date-value="{value[2]}"><text:p>{value[2]}</text:p></table:table-cell>'
        raise ValueError(kind)
    if value == "":
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def fods(rows, null_date=None):
    body = "".join("<table:table-row>" + ("".join(cell(v) for v in row) if row else '<table:table-cell table:style-name="money"/>')
                   + "</table:table-row>\n" for row in rows)
    head = HEAD
    if null_date:  # the 1904 date system: what the workbook's DATEMODE says
        head = head.replace("<office:spreadsheet>", f'<office:spreadsheet><table:calculation-settings><table:null-date table:date-value="{null_date}"/></table:calculation-settings>')
    return head + body + TAIL


def convert(source, target_ext, filter_spec, name, infilter=None):
    """soffice --convert-to, then renamed to NAME."""
    with tempfile.TemporaryDirectory() as work:
        profile = pathlib.Path(work) / "profile"
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless"]
        if infilter:
            command.append(f"--infilter={infilter}")
        command += ["--convert-to", filter_spec, "--outdir", work, str(source)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        made = pathlib.Path(work) / (source.stem + "." + target_ext)
        shutil.move(str(made), out / name)


CSV_COMMA = 'csv:Text - txt - csv (StarCalc):44,34,76,1'
CSV_SEMICOLON = 'csv:Text - txt - csv (StarCalc):59,34,76,1'

# 1. The header in another order than CustomerGauge reads, with a column of notes: typed cells,
#    as Excel users keep them (amounts as numbers, dates as date cells shown YYYY-MM-DD).
REORDERED = [
    ["Account Name", "Revenue Amount", "Revenue Type", "Revenue Start Date", "Revenue End Date", "Description", "Notes"],
    ["Acme Corp", 1200, "ARR", ("date", "2026-01-01"), ("date", "2026-12-31"), "renewal", "call in May"],
    ["Beta GmbH", 450, "MRR", ("date", "2026-01-01"), ("date", "2026-01-31"), "monthly plan", ""],
    ["Gamma Ltd", 9800, "One Time", ("date", "2026-02-15"), ("date", "2026-02-15"), "setup fee", "paid"],
]
# 2. Formulas and display formats: the amount a formula with a currency format, the end date a
#    formula on the start date (what the workbook saved for them is what counts).
FORMULAS = [
    ["Account Name", "Revenue Amount", "Revenue Start Date", "Revenue End Date", "Revenue Type", "Description"],
    ["Acme Corp", ("money", 1200), ("date", "2026-03-01"), ("dateformula", "=[.C2]+30", "2026-03-31"), "Other", "euro format"],
    ["Gamma Ltd", ("formula", "=1000*1.19", 1190), ("date", "2026-03-01"), ("dateformula", "=[.C3]+30", "2026-03-31"), "Other", "formula"],
]
# 3. One row with three problems (amount, start date, revenue type), among clean ones.
THREE_PROBLEMS = [
    ["Account Name", "Revenue Amount", "Revenue Start Date", "Revenue End Date", "Revenue Type", "Description"],
    ["Acme Corp", "1200", "2026-01-01", "2026-12-31", "ARR", "renewal"],
    ["Beta GmbH", "1,234", "2026-02-30", "2026-12-31", "Yearly", "three problems"],
    ["Gamma Ltd", "9800", "2026-02-15", "2026-02-15", "One Time", "setup fee"],
]
# 4. A date cell holding a time of day (what CustomerGauge drops).
DATE_TIME = [
    ["Account Name", "Revenue Amount", "Revenue Start Date", "Revenue End Date", "Revenue Type", "Description"],
    ["Acme Corp", 1200, ("datetime", "2026-01-01T09:30:00"), ("date", "2026-12-31"), "ARR", "renewal"],
]

# 5. What an .xls reader must get right, read against xlrd cell for cell: formulas of each kind
#    (a number, text through its STRING record, a date, a boolean, an error), dates in several
#    formats and with times, accents and CJK (16-bit strings), a formatted cell with no value, an
#    empty row, and enough distinct text that the shared strings run past one record (CONTINUE).
XLS_CASES = [
    ["Account Name", "Revenue Amount", "Revenue Start Date", "Revenue End Date", "Revenue Type", "Description"],
    ["Société Générale", 1200, ("date", "2026-01-01"), ("dateformula", "=[.C2]+364", "2026-12-31"), "ARR", "accents éèà"],
    ["東京商事", ("formula", "=1000*1.19", 1190), ("date", "2026-03-01"), ("date", "2026-03-31"), "Other", "CJK 東京"],
    ["Gamma Ltd", ("formula", "=[.B2]*2", 2400), ("datetime", "2026-02-15T09:30:00"), ("date", "2026-02-15"), "One Time", ("textformula", '=CONCATENATE("fee ";"2026")', "fee 2026")],
    ["Delta SA", -50, ("date", "2026-04-01"), ("date", "2026-04-30"), "MRR", ("boolformula", "=1=1", "true")],
    [],
    ["Zeta AB", 0.5, ("date", "1904-01-02"), ("date", "2099-12-31"), "other", ("errorformula", "=1/0")],
] + [[f"Account {n:04d} with a long enough name", n, ("date", "2026-05-01"), ("date", "2026-05-31"), "MRR",
      f"description number {n} that is different every time {n * 7919}"] for n in range(1, 301)]


with tempfile.TemporaryDirectory() as work:
    work = pathlib.Path(work)
    for stem, rows, formats in [
        ("reordered", REORDERED, [("xlsx", "xlsx", "reordered.xlsx"), ("xls", "xls", "reordered.xls"),
                                  ("csv", CSV_COMMA, "reordered.csv"), ("csv", CSV_SEMICOLON, "reordered-semicolon.csv")]),
        ("formulas", FORMULAS, [("xlsx", "xlsx", "formulas.xlsx"), ("xls", "xls", "formulas.xls")]),
        ("three-problems", THREE_PROBLEMS, [("xlsx", "xlsx", "three-problems.xlsx"), ("csv", CSV_COMMA, "three-problems.csv")]),
        ("date-time", DATE_TIME, [("xlsx", "xlsx", "date-time.xlsx"), ("xls", "xls", "date-time.xls")]),
        ("xls-cases", XLS_CASES, [("xls", "xls", "xls-cases.xls")]),
        ("xls-1904", DATE_TIME, [("xls", "xls", "xls-1904.xls")]),
    ]:
        source = work / f"{stem}.fods"
        source.write_text(fods(rows, null_date="1904-01-01" if stem == "xls-1904" else None), encoding="utf-8")
        for ext, spec, name in formats:
            convert(source, ext, spec, name)

    # 5. LibreOffice's default CSV import of a UTF-8 file (Windows-1252 on many desktops), saved
    #    again as UTF-8 CSV: Société Générale comes back as SociÃ©tÃ© GÃ©nÃ©rale.
    original = work / "mojibake.csv"
    original.write_text("Account Name,Revenue Amount,Revenue Start Date,Revenue End Date,Revenue Type,Description\n"
                        "Société Générale,1200,2026-01-01,2026-12-31,ARR,Überweisung\n"
                        "Acme Corp,450,2026-01-01,2026-01-31,MRR,monthly plan\n", encoding="utf-8")
    convert(original, "csv", CSV_COMMA, "mojibake.csv", infilter="CSV:44,34,1252,1")

for path in sorted(out.iterdir()):
    print(path.relative_to(root) if path.is_relative_to(root) else path)
