"""Texts in several languages: pick one, falling back to the instrument's default."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spj.instrument.model import CaseField, Instrument, Text


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


def case_value_text(field: CaseField | None, value: object, lang: str | None, instrument: Instrument | None) -> str:
    """A case fact as a reader sees it: a choice by its label, several choices joined by commas.

    >>> case_value_text(None, ["a", "b"], "en", None)
    'a, b'
    """
    items = list(value) if isinstance(value, list | tuple) else [value]
    labels = field.labels if field is not None else {}
    shown = (localize(labels[str(item)], lang, instrument) if str(item) in labels else str(item) for item in items)
    return ", ".join(shown)
