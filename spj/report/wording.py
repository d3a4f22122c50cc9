"""The report's own sentences, worded in Python: translated, values escaped, ready for a template to print.

A sentence with values in it ("Of 33 indicators, 31 were rated …") is formatted
here exactly as Jinja's i18n extension formats a `{% trans %}` block (newstyle
gettext): the translation is trusted text, every value put into it is escaped
for the output kind — `markupsafe.Markup` for HTML, `MdText` for Markdown. A
value that is already safe text (a list of names worded here) is not escaped
twice. Templates print the result; they escape everything else themselves.

>>> words = report_wording("en", "html")  # doctest: +SKIP
>>> words("%(title)s (%(id)s) is rated.", title="<b>", id="X1")  # doctest: +SKIP
Markup('&lt;b&gt; (X1) is rated.')
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup, escape

from spj.report.escaping import MdText, md_names
from spj.report.i18n import translations_for

Kind = Literal["html", "md"]
_PLAIN = frozenset({str, Markup, int})


@dataclass(frozen=True, slots=True)
class Named:
    """Something shown by its id and its title in the chosen language."""

    id: str
    title: str


class Wording:
    """Sentences in one language for one output kind (`html` or `md`)."""

    def __init__(self, lang: str, kind: Kind) -> None:
        translations = translations_for(lang)
        self.lang = lang
        self.kind = kind
        self._gettext = translations.gettext
        self._ngettext = translations.ngettext
        self._safe: type[Markup] | type[MdText] = Markup if kind == "html" else MdText

    def __call__(self, message: str, /, **values: Any) -> str:
        """`message` translated, with `values` escaped into it (a template's `_()` or `{% trans %}`)."""
        return self._format(self._gettext(message), values)

    def plural(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The singular or plural form for `n` (a `{% trans %}…{% pluralize %}` block; `num` is `n`)."""
        values.setdefault("num", n)
        return self._format(self._ngettext(singular, plural, n), values)

    def _format(self, translated: str, values: dict[str, Any]) -> str:
        if self.kind == "html" and all(type(v) in _PLAIN for v in values.values()):
            # What `Markup(translated) % values` gives, without its per-value wrappers: texts escaped
            # (safe text is left as it is), numbers as they are.
            return Markup(translated % {k: escape(v) if isinstance(v, str) else v for k, v in values.items()})
        return self._safe(translated) % values

    def names(self, items: Iterable[Named]) -> str:
        """`Title (ID), Title (ID)`, as safe text; `Title` alone when the id is empty (a code not to show)."""
        if self.kind == "md":
            return md_names(items)
        return Markup(", ".join(f"{escape(n.title)} ({escape(n.id)})" if n.id else str(escape(n.title)) for n in items))

    def date(self, value: dt.date | None) -> str:
        """A date in the long form of the language ('' for none): plain text, escaped when printed."""
        return _long_date(value, self.lang) if value else ""


@functools.lru_cache(maxsize=32)
def report_wording(lang: str, kind: Kind) -> Wording:
    """The (shared, immutable) wording for `lang` and `kind`."""
    return Wording(lang, kind)


@functools.lru_cache(maxsize=64)
def babel_locale(lang: str) -> Locale:
    """Babel's locale for a language code; English when Babel does not know it."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@functools.lru_cache(maxsize=1024)
def _long_date(value: dt.date, lang: str) -> str:
    return str(format_date(value, format="long", locale=babel_locale(lang)))
