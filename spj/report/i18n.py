"""Report translations: `.po` catalogs read at runtime with Babel, no build step."""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_FOLDER = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"


@functools.cache
def report_languages() -> tuple[str, ...]:
    """Languages the report's own wording exists in: English plus every catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_FOLDER.glob("*/LC_MESSAGES/messages.po"))
    return (SOURCE_LANGUAGE, *found)


@functools.lru_cache(maxsize=16)
def translations_for(lang: str) -> NullTranslations:
    """The report's translations into `lang`; English (the msgids) when there is no catalog."""
    po_file = LOCALE_FOLDER / lang / "LC_MESSAGES" / "messages.po"
    if not po_file.is_file():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)
