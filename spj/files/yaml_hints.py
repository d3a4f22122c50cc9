"""What to do about a YAML syntax error: the common slips of people who write YAML by hand.

libyaml says *what* it could not read ("found character that cannot start
any token"); these hints say what the author probably wrote and how to fix
it: a tab in the indentation, a comma or a colon in unquoted text.

>>> syntax_hint("found character that cannot start any token", "a:\\n\\tb: 1\\n", 1, 0)
'YAML indents with spaces, not tabs: replace the tab at the start of this line with spaces'
"""

from __future__ import annotations

QUOTE = "quote text that contains a comma or a colon, as in title: {en: \"Conflict: at home, at school\"}"


def syntax_hint(reason: str, text: str, line: int, column: int) -> str | None:
    """A sentence saying what to do, for libyaml's `reason` at 0-based `line`/`column` of `text`; None if no idea."""
    rows = text.split("\n")
    row = rows[line] if 0 <= line < len(rows) else ""
    if "\t" in row[: column + 1] and (row[:column].strip() == "" or row[column : column + 1] == "\t"):
        return "YAML indents with spaces, not tabs: replace the tab at the start of this line with spaces"
    if "\t" in row and "cannot start any token" in reason:
        return "YAML does not allow a tab here: use spaces"
    if "expected ',' or '}'" in reason or "expected ',' or ']'" in reason:
        return f"inside {{...}} or [...], a comma or a colon ends the text: {QUOTE}"
    if "mapping values are not allowed" in reason:
        return f"a colon followed by a space starts a new key: {QUOTE}"
    if "did not find expected key" in reason and "{" in row:
        return f"inside {{...}}, a comma or a colon ends the text: {QUOTE}"
    return None
