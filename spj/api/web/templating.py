"""The workspace's Jinja environment (autoescaped, translated) and its page strings.

Page strings live in their own catalog domain, `web`
(`spj/api/web/locale/<lang>/LC_MESSAGES/web.po`), read at runtime with Babel
like the report's catalogs; one environment per language, built once.
"""

from __future__ import annotations

import datetime as dt
import functools
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
LOCALE_FOLDER = HERE / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "nl": "Nederlands", "fr": "Français"}
DEFAULT_LANGUAGE = "en"


@functools.lru_cache(maxsize=8)
def translations_for(lang: str) -> NullTranslations:
    """The page strings in `lang`; English (the msgids) without a catalog."""
    po_file = LOCALE_FOLDER / lang / "LC_MESSAGES" / "web.po"
    if not po_file.is_file():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain="web")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="web")


def gettext(lang: str, message: str, **values: Any) -> str:
    """`message` in `lang`, with `%(name)s` placeholders filled (for texts built in Python)."""
    text = translations_for(lang).gettext(message)
    return text % values if values else text


@functools.lru_cache(maxsize=8)
def environment(lang: str) -> Environment:
    """The environment rendering pages in `lang`."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations_for(lang), newstyle=True)  # type: ignore[attr-defined]
    locale = _locale(lang)
    env.filters["datetime"] = functools.partial(_datetime, locale=locale)
    env.filters["paragraphs"] = paragraphs
    env.filters["field_id"] = field_id
    return env


def field_id(name: str) -> str:
    """The HTML id of a form field: `r.SO1.presence` → `f-r-SO1-presence`."""
    return "f-" + name.replace(".", "-")


def paragraphs(text: str | None) -> Markup:
    """Plain text as escaped HTML paragraphs (blank lines separate them)."""
    if not text:
        return Markup("")
    parts = [p.strip() for p in str(text).replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(Markup("<br>").join(escape(p).split("\n"))) for p in parts)


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _datetime(value: dt.datetime | None, *, locale: Locale) -> str:
    return format_datetime(value, format="medium", locale=locale) if value else ""
