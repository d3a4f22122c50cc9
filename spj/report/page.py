"""The printed report's page furniture: running header, page numbers and the draft mark, as CSS values.

WeasyPrint (and a browser printing the HTML) draws them in the `@page` margin boxes of the report's
stylesheet, so they appear on every page. Margin boxes take their text from CSS `content`, never from
the HTML, so every string here is written as a CSS string literal with every character that could end
it, or end the `<style>` element, escaped: the case pseudonym is user text.

>>> css_string("Case 0101")
'"Case 0101"'
"""

from __future__ import annotations

import re

from markupsafe import Markup

from spj.report.i18n import translations_for

# Letters, digits and a few harmless marks stay as they are; everything else becomes a CSS hex escape.
_PLAIN = re.compile(r"[\w .,:;!?()—–-]", re.UNICODE)
_COUNTERS = re.compile(r"%\((page|pages)\)s")


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string that cannot close the string, the rule or the `<style>`."""
    escaped = "".join(ch if _PLAIN.fullmatch(ch) else f"\\{ord(ch):06X} " for ch in text)
    return f'"{escaped}"'


def page_counter_content(message: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value with the page counters in it."""
    parts: list[str] = []
    position = 0
    for match in _COUNTERS.finditer(message):
        if match.start() > position:
            parts.append(css_string(message[position : match.start()]))
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(message):
        parts.append(css_string(message[position:]))
    return " ".join(parts)


def page_furniture(case_id: str, *, lang: str) -> dict[str, Markup]:
    """The `page` entry of the report's context: CSS `content` values for the margin boxes.

    The template prints the draft mark only on a draft.

    Each value is already safe for the stylesheet (escaped here), hence `Markup`: the HTML
    autoescape would otherwise turn its quotes into entities, which CSS does not read.
    """
    gettext = translations_for(lang).gettext
    return {
        "case": Markup(css_string(gettext("Case %(case)s") % {"case": case_id})),
        "confidential": Markup(css_string(gettext("Confidential: for the professionals working on this case only"))),
        "page_of": Markup(page_counter_content(gettext("Page %(page)s of %(pages)s"))),
        "draft": Markup(css_string(gettext("DRAFT"))),
    }
