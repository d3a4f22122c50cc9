"""Texts missing in a declared language (they fall back to the default language)."""

from __future__ import annotations

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning
from spj.errors import format_path
from spj.instrument.checks import instrument_texts
from spj.instrument.text import has_translation

SHOWN = 3


def translation_warnings(ctx: LintContext) -> list[LintWarning]:
    """One `missing-translation` per language lacking some text, with counts and the first paths."""
    instrument = ctx.instrument
    texts = [(path, text) for path, text in instrument_texts(instrument) if text is not None]
    warnings = []
    for lang in instrument.languages:
        missing = [path for path, text in texts if not has_translation(text, lang, instrument)]
        if not missing:
            continue
        shown = ", ".join(format_path(p) for p in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        fallback = (
            f"they fall back to {instrument.default_language!r}"
            if lang != instrument.default_language
            else "the default language itself is missing, another language is shown"
        )
        warnings.append(
            ctx.warning(
                LintCode.MISSING_TRANSLATION,
                f"{len(missing)} of {len(texts)} texts have no {lang!r} version ({fallback}): {shown}{more}",
                missing[0],
                subject=lang,
            )
        )
    return warnings
