#!/usr/bin/env python3
"""Finishes the man page swift-argument-parser writes (scripts/install-extras.sh runs this):
each --no-NAME form says what it does instead of repeating the help of --NAME, and EXIT STATUS
lists the tool's own codes instead of mdoc's "0 on success, >0 if an error occurs"; paragraph
breaks become .Pp, so that `man --warnings -l` is silent."""
import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
out = []
i = 0
while i < len(lines):
    line = lines[i]
    match = re.match(r"^\.It Fl -no-([a-z-]+)$", line)
    if match and i + 1 < len(lines) and not lines[i + 1].startswith("."):
        out += [line, f"Turn --{match.group(1)} off: overrides CG_{match.group(1).upper().replace('-', '_')} and the config file."]
        i += 2
        continue
    if line == ".Ex -std":
        out += [
            ".Bl -tag -width 3n",
            ".It 0", "Done: every output written.",
            ".It 1", "The run failed: network or server after every retry, credentials refused, a malformed page, an API error, a record that cannot be typed, a source repeating pages, a file that cannot be written. No output is created or replaced.",
            ".It 2", "Usage or configuration error, naming the option, variable or config key; --dry-run found a problem.",
            ".It 3", "Done and every output written, but a --fail-on rule matched.",
            ".It 130, 143", "Interrupted by SIGINT or SIGTERM; temporary files removed.",
            ".El",
        ]
        i += 1
        continue
    # mdoc warns on empty lines (the discussion's paragraph breaks): a paragraph macro instead.
    out.append(".Pp" if line == "" and i + 1 < len(lines) else line)
    i += 1
open(path, "w", encoding="utf-8").write("\n".join(out))
