"""Filters that make untrusted text safe: HTML paragraphs and Markdown escaping.

User text (evidence, formulation, rationale, case ids) and instrument labels are
never trusted: every filter escapes first, then adds structure.

>>> md_escape("[x](javascript:alert(1)) <b>")
'\\\\[x\\\\](javascript:alert(1)) \\\\<b\\\\>'
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

# Characters that start Markdown (CommonMark/GFM) inline markup or raw HTML.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#!~{}])")
# Constructs that only matter at the start of a line: lists, quotes, headings, rules.
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n\s*\n")


class MdText(str):
    """Markdown that is already safe; `%` formatting escapes its arguments.

    It plays the part `markupsafe.Markup` plays for HTML: translations are
    trusted, the values put into them are not.
    """

    __slots__ = ()

    def __mod__(self, args: Any) -> MdText:
        if isinstance(args, dict):
            args = {k: _md_safe(v) for k, v in args.items()}
        elif isinstance(args, tuple):
            args = tuple(_md_safe(v) for v in args)
        else:
            args = _md_safe(args)
        return MdText(str.__mod__(self, args))


def _md_safe(value: Any) -> Any:
    if isinstance(value, MdText | int | float):
        return value
    return md_escape(value)


def md_escape(value: Any) -> MdText:
    """Escape text so that no Markdown or HTML markup can come out of it."""
    if isinstance(value, MdText):
        return value
    text = " ".join(str(value).split())
    return MdText(_MD_SPECIAL.sub(r"\\\1", text))


def _escape_marker(marker: str) -> str:
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def md_finalize(value: Any) -> Any:
    """Every `{{ … }}` of a Markdown template: safe text as is, the rest escaped."""
    if isinstance(value, MdText):
        return value
    if value is None:
        return ""
    return md_escape(value)


def md_paragraphs(value: Any) -> MdText:
    """Escaped Markdown paragraphs, one per blank-line-separated block of `value`."""
    blocks = [b for b in _BLANK_LINES.split(str(value or "").strip()) if b.strip()]
    return MdText("\n\n".join(_escape_line_start(md_escape(b)) for b in blocks))


def _escape_line_start(text: str) -> str:
    return _MD_LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)


def md_names(items: Any) -> MdText:
    """`Title (ID), Title (ID)` for a Markdown sentence, escaped; `Title` alone when the id is empty."""
    return MdText(", ".join(f"{md_escape(n.title)} ({md_escape(n.id)})" if n.id else md_escape(n.title) for n in items))


def html_paragraphs(value: Any) -> Markup:
    """Escaped HTML paragraphs: blank lines separate paragraphs, single newlines break lines."""
    paragraphs = []
    for block in _BLANK_LINES.split(str(value or "").strip()):
        block = block.strip()
        if block:
            paragraphs.append("<p>" + "<br>\n".join([escape(line) for line in block.splitlines()]) + "</p>")
    return Markup("\n".join(paragraphs))


def md_code(value: Any) -> MdText:
    """`value` as a Markdown code span: shown literally, never interpreted."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return MdText(f"{fence}{text}{fence}")
