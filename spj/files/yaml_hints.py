"""What to do about a YAML syntax error: the common slips of people who write YAML by hand.

libyaml says *what* it could not read ("found character that cannot start
any token"); these hints say what the author probably wrote and how to fix
it: a tab in the indentation, a comma or a colon in unquoted text.

>>> syntax_hint("found character that cannot start any token", "a:\\n\\tb: 1\\n", 1, 0)
'use spaces to indent, not tabs: replace the tab at the start of this line with spaces'
"""

from __future__ import annotations

QUOTE = 'quote text that contains a comma or a colon, as in title: {en: "Conflict: at home, at school"}'


def syntax_hint(reason: str, text: str, line: int, column: int) -> str | None:
    """A sentence saying what to do, for libyaml's `reason` at 0-based `line`/`column` of `text`; None if no idea."""
    rows = text.split("\n")
    row = rows[line] if 0 <= line < len(rows) else ""
    if "\t" in row[: column + 1] and (row[:column].strip() == "" or row[column : column + 1] == "\t"):
        return "use spaces to indent, not tabs: replace the tab at the start of this line with spaces"
    if "\t" in row and "cannot start any token" in reason:
        return "YAML does not allow a tab here: use spaces"
    if "expected ',' or '}'" in reason or "expected ',' or ']'" in reason:
        return f"inside {{...}} or [...], a comma or a colon ends the text: {QUOTE}"
    if "mapping values are not allowed" in reason:
        return f"a colon followed by a space starts a new key: {QUOTE}"
    quoted = _quotes_inside_quotes(rows, line)
    if quoted is not None:
        return (
            f"a single quote inside a '...' text ends it (line {quoted + 1}): write that text in double quotes, "
            "as in when: \"case.phase == 'detention'\""
        )
    if "did not find expected key" in reason and "{" in row:
        return f"inside {{...}}, a comma or a colon ends the text: {QUOTE}"
    return None


def _quotes_inside_quotes(rows: list[str], line: int) -> int | None:
    """The 0-based line, at or shortly before `line`, of a value in single quotes that holds single quotes."""
    for number in range(line, max(line - 6, -1), -1):
        row = rows[number] if 0 <= number < len(rows) else ""
        if ": '" in row and row.count("'") > 2:
            return number
    return None
