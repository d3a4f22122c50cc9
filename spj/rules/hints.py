"""What to write instead, for the slips people make when they first write CEL.

The parser says where it stopped; this says what the author probably meant:
`=>` for `>=`, `=<` for `<=`, `=` for `==`, `<>` for `!=`, and the words
`and`, `or`, `not` for `&&`, `||`, `!`.

>>> syntax_hint("ratings.A.presence => 1", 19)
"write '>=' (greater than or equal), not '=>'"
"""

from __future__ import annotations

import re

_OPERATORS = (
    ("=>", "'>=' (greater than or equal)"),
    ("=<", "'<=' (less than or equal)"),
    ("<>", "'!=' (not equal)"),
)
_WORDS = {"and": "&&", "or": "||", "not": "!"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def syntax_hint(source: str, offset: int) -> str | None:
    """A sentence saying what to write instead, for a syntax error at `offset` of `source`; None if no idea."""
    for start in (offset - 1, offset):
        for written, meant in _OPERATORS:
            if start >= 0 and source.startswith(written, start):
                return f"write {meant}, not {written!r}"
    if source.startswith("=", offset) and not source.startswith("==", offset):
        return "write '==' to compare; a single '=' assigns, and rules cannot assign"
    words = [w for w in _WORD.finditer(source) if w.start() <= offset]
    for word in reversed(words[-2:]):
        instead = _WORDS.get(word.group().lower())
        if instead is not None:
            return f"write {instead!r}, not {word.group()!r}: CEL writes and, or, not as &&, ||, !"
    return None
