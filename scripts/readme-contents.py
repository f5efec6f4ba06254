#!/usr/bin/env python3
"""Writes the README's "Contents" list anew from its ## and ### headings (run after adding a section)."""
import pathlib, re

readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
text = readme.read_text()
headings, in_code = [], False
for line in text.split("\n"):
    if line.startswith("```"):
        in_code = not in_code
    match = None if in_code else re.match(r"^(##|###) (.*)$", line)
    if match and match.group(2) != "Contents":
        headings.append((len(match.group(1)), match.group(2)))
def anchor(title):
    return re.sub(r"[^\w\- ]", "", title.lower().strip()).replace(" ", "-")
contents = "## Contents\n\n" + "\n".join("  " * (level - 2) + f"- [{title}](#{anchor(title)})" for level, title in headings) + "\n"
start = text.index("## Contents\n")
end = text.index("\n## ", start + 1) + 1
readme.write_text(text[:start] + contents + "\n" + text[end:])
