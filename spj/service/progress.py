"""How far a draft is: an indicator is done only when it is omitted or everything it rates is filled.

The form's progress and the case list's progress per draft use this one rule.

The engine's completeness counts an indicator as rated from its first scale; the form asks more, by
the rule the final check applies (`spj.assessment.validate.rating_gaps`), so that "0 to do" in the
form means that finalising will not find an indicator still to rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spj.assessment.validate import case_value, rating_gaps
from spj.instrument import Instrument, index_of
from spj.instrument.applicability import Applicability, decide_applicability


@dataclass(frozen=True)
class FormProgress:
    rated: int  # done by rating every scale it needs
    omitted: int  # done by omitting it with a reason
    to_do: tuple[str, ...]  # the indicators still to rate or omit, in the form's order
    per_domain: dict[str, tuple[int, int]]  # life area → (done, indicators that apply)
    not_applicable: tuple[str, ...] = ()  # indicators whose applies_when is false: not asked, not counted

    @property
    def done(self) -> int:
        return self.rated + self.omitted

    @property
    def total(self) -> int:
        """The indicators that apply (those not asked are not counted)."""
        return self.done + len(self.to_do)


def content_applicability(instrument: Instrument, content: Mapping[str, Any]) -> Applicability:
    """Which conditional items apply to an assessment document as the form holds it (drafts included)."""
    index = index_of(instrument)
    ratings = content.get("ratings") or {}
    codes = {
        ind: {s: str(v) for s, v in rating.items() if s in index.scales and v not in (None, "")}
        for ind, rating in ratings.items()
        if isinstance(rating, Mapping) and rating.get("omitted") is not True
    }
    case = content.get("case") or {}
    fields = case.get("fields") if isinstance(case, Mapping) else None
    given = {
        name: case_value(index.case_fields.get(name), value)
        for name, value in (fields or {}).items()
        if value not in (None, "", [])
    }
    return decide_applicability(index, codes, given)


def form_progress(instrument: Instrument, content: Mapping[str, Any]) -> FormProgress:
    """The form's progress from an assessment document's `ratings`."""
    index = index_of(instrument)
    ratings = content.get("ratings") or {}
    applicability = content_applicability(instrument, content)
    not_applicable: list[str] = []
    rated = omitted = 0
    to_do: list[str] = []
    per_domain: dict[str, list[int]] = {d.id: [0, 0] for d in instrument.domains}
    order = {d.id: n for n, d in enumerate(instrument.domains)}
    for indicator in sorted(instrument.indicators, key=lambda i: order.get(i.domain, len(order))):
        rating = ratings.get(indicator.id)
        is_omitted = isinstance(rating, Mapping) and rating.get("omitted") is True
        codes = None
        if isinstance(rating, Mapping) and not is_omitted:
            codes = {s: str(rating[s]) for s in indicator.rate if rating.get(s) not in (None, "")}
            codes = codes or None
        if applicability.applies(indicator.id) is False:
            not_applicable.append(indicator.id)
            continue
        counts = per_domain.setdefault(indicator.domain, [0, 0])
        counts[1] += 1
        if rating_gaps(indicator, codes, is_omitted, index, applicability):
            to_do.append(indicator.id)
            continue
        counts[0] += 1
        omitted += is_omitted
        rated += not is_omitted
    per = {k: (v[0], v[1]) for k, v in per_domain.items()}
    return FormProgress(rated, omitted, tuple(to_do), per, tuple(not_applicable))
