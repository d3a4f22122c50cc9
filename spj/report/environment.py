"""The Jinja environment for reports: sandboxed, strict, escaping, translated.

One environment per (language, output kind), built once and shared: Jinja
environments are safe to use from several threads once configured.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from spj.report.escaping import MdText, html_paragraphs, md_escape, md_finalize, md_names, md_paragraphs
from spj.report.i18n import translations_for
from spj.report.templates import template_folder

Kind = Literal["html", "md"]


@functools.lru_cache(maxsize=32)
def report_environment(lang: str, kind: Kind) -> ImmutableSandboxedEnvironment:
    """The environment that renders `kind` reports with the report's wording in `lang`."""
    options: dict[str, Any] = {}
    if kind == "md":
        # Markdown has no autoescape: every `{{ … }}` is escaped on output instead.
        options["finalize"] = md_finalize
        options["trim_blocks"] = True
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(template_folder())),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    translations = translations_for(lang)
    if kind == "md":
        env.install_gettext_callables(  # type: ignore[attr-defined]
            lambda s: MdText(translations.gettext(s)),
            lambda s, p, n: MdText(translations.ngettext(s, p, n)),
            newstyle=True,
        )
    else:
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    locale = _babel_locale(lang)
    env.filters["date"] = functools.partial(_date, locale=locale)
    env.filters["paragraphs"] = html_paragraphs
    env.filters["md"] = md_escape
    env.filters["md_paragraphs"] = md_paragraphs
    env.filters["names"] = md_names
    return env


def _babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _date(value: dt.date | None, *, locale: Locale) -> str:
    return format_date(value, format="long", locale=locale) if value else ""
