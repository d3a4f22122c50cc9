"""Texts in several languages: pick one, falling back to the instrument's default."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spj.instrument.model import Instrument, Text


def localize(text: Text | None, lang: str | None, instrument: Instrument | None) -> str:
    """The text in `lang`, else in the instrument's default language, else any; '' for None.

    A plain string is the default language's text. Without an instrument (a
    consultation record, say) there is no default language to fall back to.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for candidate in (lang, instrument.default_language if instrument is not None else None):
        if candidate and candidate in text:
            return text[candidate]
    return next(iter(text.values()), "")


def has_translation(text: Text | None, lang: str, instrument: Instrument) -> bool:
    """Whether `text` exists in `lang` (a plain string counts for the default language only)."""
    if text is None:
        return True
    if isinstance(text, str):
        return lang == instrument.default_language
    return lang in text
