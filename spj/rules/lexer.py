"""The tokenizer of the rule parser: CEL source text to tokens, literals decoded.

This is the only place that reads CEL's lexical syntax, so string escapes,
raw and triple-quoted strings, bytes and number suffixes are decoded once
(`parser.py` builds the tree from these tokens; nothing else reads them).

>>> [(t.kind, t.value) for t in tokenize("r'\\\\d' + '\\\\x41'")]
[('string', '\\\\d'), ('op', None), ('string', 'A'), ('end', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>[\t\n\f\r ]+|//[^\n]*)
  | (?P<quoted>(?:[bB][rR]?|[rR])?(?:\"\"\"|'''|"|'))
  | (?P<double>(?:[0-9]+\.[0-9]+|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)
  | (?P<hex>0x[0-9a-fA-F]+[uU]?)
  | (?P<decimal>[0-9]+[uU]?)
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,()\[\]{}])
    """,
    re.VERBOSE,
)

_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "?": "?",
    '"': '"',
    "'": "'",
    "`": "`",
}
_HEX_DIGITS = {"x": 2, "X": 2, "u": 4, "U": 8}
_OCTAL = re.compile(r"[0-3][0-7]{2}")
_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `kind` is int, uint, double, string, bytes, ident, op or end; `value` the decoded literal."""

    kind: str
    text: str
    offset: int
    value: int | float | str | bytes | None = None


class LexError(ValueError):
    """Text that is not a CEL token, at `offset` characters into the source."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens ending with an `end` token; raise `LexError` at the first bad one."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise LexError(f"unexpected character {source[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind == "quoted":
            token = _quoted(source, pos, match.group())
            tokens.append(token)
            pos += len(token.text)
            continue
        text = match.group()
        if kind == "double":
            tokens.append(Token("double", text, pos, float(text)))
        elif kind in ("hex", "decimal"):
            unsigned = text[-1] in "uU"
            digits = text.rstrip("uU")
            value = int(digits[2:], 16) if kind == "hex" else int(digits)
            tokens.append(Token("uint" if unsigned else "int", text, pos, value))
        elif kind != "space":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def _quoted(source: str, start: int, opening: str) -> Token:
    """The string or bytes literal starting at `start`, whose prefix and opening quote are `opening`."""
    prefix = opening.rstrip("\"'")
    quote = opening[len(prefix) :]
    is_bytes = "b" in prefix.lower()
    raw = "r" in prefix.lower()
    pos = start + len(opening)
    out = bytearray()  # a bytes literal's value
    chars: list[str] = []  # a string literal's value
    while True:
        if source.startswith(quote, pos):
            end = pos + len(quote)
            if is_bytes:
                return Token("bytes", source[start:end], start, bytes(out))
            return Token("string", source[start:end], start, "".join(chars))
        if pos >= len(source) or (len(quote) == 1 and source[pos] in "\n\r"):
            raise LexError("text not closed: add the closing quote", start)
        if source[pos] != "\\" or raw:
            text, pos = source[pos], pos + 1
        else:
            text, byte, pos = _escape(source, pos, is_bytes)
            if byte is not None:
                out.append(byte)
                continue
        if is_bytes:
            out += text.encode("utf-8")
        else:
            chars.append(text)


def _escape(source: str, pos: int, is_bytes: bool) -> tuple[str, int | None, int]:
    """The escape sequence at `pos` (a backslash): (text, byte value or None, position after it).

    In bytes, `\\xHH` and octal escapes are byte values; in strings they are code points.
    """
    letter = source[pos + 1 : pos + 2]
    if letter in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[letter], None, pos + 2
    if letter in _HEX_DIGITS:
        if is_bytes and letter in "uU":
            raise LexError(f"\\{letter} is not allowed in bytes; write \\xHH", pos)
        width = _HEX_DIGITS[letter]
        digits = source[pos + 2 : pos + 2 + width]
        if len(digits) != width or not _HEX.fullmatch(digits):
            raise LexError(f"\\{letter} needs {width} hexadecimal digits", pos)
        code, after = int(digits, 16), pos + 2 + width
    elif _OCTAL.fullmatch(digits := source[pos + 1 : pos + 4]):
        code, after = int(digits, 8), pos + 4
    elif letter.isdigit():
        raise LexError("an octal escape is three digits, \\000 to \\377", pos)
    else:
        raise LexError(f"unknown escape \\{letter}; write \\\\ for a backslash", pos)
    if is_bytes:
        return "", code, after
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise LexError(f"{source[pos:after]} is not a Unicode character", pos)
    return chr(code), None, after
