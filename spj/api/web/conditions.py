"""Which items the form does not ask, and why: conditional items (`applies_when`) decided over the draft.

The rating scales of an item whose condition is false are shown disabled with
a sentence that says why; it is not "to rate" (`progress.form_progress` skips
it), and the codes the draft gave for it are not sent again on the next save,
as the engine sets them aside anyway. Its evidence and sources stay editable,
so that no text written is lost. An item whose condition cannot be decided yet
stays open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spj.api.web.progress import content_applicability
from spj.api.web.templating import gettext
from spj.instrument.model import Instrument
from spj.report.codebook import condition_sentences


def not_asked(instrument: Instrument, content: Mapping[str, Any], lang: str) -> dict[str, str]:
    """`{"MH1": why, "SO1.relevance": why}` for each item of the draft that does not apply."""
    applicability = content_applicability(instrument, content)
    if not applicability.not_applicable:
        return {}
    out: dict[str, str] = {}
    for indicator in instrument.indicators:
        conditional = [indicator.id] if indicator.applies_when else []
        conditional += [f"{indicator.id}.{scale}" for scale in indicator.scale_applies_when]
        if not conditional:
            continue
        sentences = condition_sentences(indicator, instrument, lang=lang)
        whole = applicability.applies(indicator.id) is False
        for key, sentence in zip(conditional, sentences, strict=True):
            scale = key.partition(".")[2] or None
            if scale is None and whole:
                out[key] = gettext(lang, "Not asked for this case.") + " " + sentence
            elif scale is not None and not whole and applicability.applies(indicator.id, scale) is False:
                out[key] = gettext(lang, "Not asked here.") + " " + sentence
    return out
