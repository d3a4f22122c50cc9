"""The report's reasons as sentences a colleague reads, from the engine's structured reasons.

"Lack of daily structure (PS1) is rated “Present”", never `ratings.PS1.presence: 2`;
"Housing and finances: risk indicators rated present: 1", never
`domains.housing_finances.risk.present: 1`. Only a reference the instrument
does not name is shown as the engine wrote it, as a last resort.
"""

from __future__ import annotations

from collections.abc import Callable

from spj.evaluation.results import Reason, render_ref
from spj.instrument.model import CaseField, Instrument
from spj.instrument.text import case_value_text, localize
from spj.report.labels import as_words, looks_like_code
from spj.report.wording import Wording

_COUNTS = {
    ("risk", "present"): "%(area)s: risk indicators rated present: %(n)s",
    ("risk", "partial"): "%(area)s: risk indicators rated partially present: %(n)s",
    ("risk", "absent"): "%(area)s: risk indicators rated absent: %(n)s",
    ("protective", "present"): "%(area)s: protective indicators rated present: %(n)s",
    ("protective", "partial"): "%(area)s: protective indicators rated partially present: %(n)s",
    ("protective", "absent"): "%(area)s: protective indicators rated absent: %(n)s",
}
_STATUS = {
    "omitted": "%(indicator)s is omitted (no information yet)",
    "not rated": "%(indicator)s is not rated yet",
    "unrated": "%(indicator)s is not rated yet",
    "not applicable": "%(indicator)s is not asked for this case",
}


def scale_name(scale: str, words: Wording) -> str:
    """A scale as the report names it: presence and relevance translated, any other as words."""
    return words(scale) if scale in ("presence", "relevance") else as_words(scale).lower()


class ReasonWords:
    """Sentences for the reasons of flags and recommendations, in one language and output kind."""

    def __init__(self, instrument: Instrument, words: Wording, level_label: Callable[[str, str], str]) -> None:
        self.instrument = instrument
        self.words = words
        self.lang = words.lang
        self.level_label = level_label
        self.indicators = {i.id: i for i in instrument.indicators}
        self.rules = {r.id: r for r in instrument.rules}
        self.domains = {d.id: d for d in instrument.domains}
        self.case_fields = {f.id: f for f in instrument.case_fields}

    def text(self, value: object) -> str:
        return localize(value, self.lang, self.instrument)  # type: ignore[arg-type]

    def sentence(self, reason: Reason) -> str:
        """The reason as one sentence, its full stop included (none added after a text that ends one)."""
        said = self._sentence(reason)
        return said if said.endswith((".", "!", "?", "…")) else type(said)(said + ".")

    def _sentence(self, reason: Reason) -> str:
        ref = reason.ref
        if ref.root == "ratings" and len(ref.rest) == 1 and ref.name in self.indicators:
            return self._rating(reason, ref.name, ref.rest[0])
        if ref.root == "flags" and not ref.rest and ref.name in self.rules:
            return self._flag(reason, ref.name)
        if ref.root == "domains" and len(ref.rest) == 2 and ref.name in self.domains and tuple(ref.rest) in _COUNTS:
            area = self.text(self.domains[ref.name].title)
            return self.words(_COUNTS[(ref.rest[0], ref.rest[1])], area=area, n=str(reason.value))
        if ref.root == "case" and not ref.rest and ref.name in self.case_fields:
            return self._case(reason, ref.name)
        value = reason.status if reason.status else str(reason.value if reason.code is None else reason.code)
        return self.words("%(subject)s: %(value)s", subject=render_ref(ref), value=value)

    def _rating(self, reason: Reason, indicator_id: str, scale: str) -> str:
        words = self.words
        indicator = f"{self.text(self.indicators[indicator_id].title)} ({indicator_id})"
        if reason.code is None:
            if reason.status in _STATUS:
                return words(_STATUS[reason.status], indicator=indicator)
            return words("%(indicator)s is not rated yet", indicator=indicator)
        label = self.level_label(scale, str(reason.code))
        if scale == "presence":
            return words("%(indicator)s is rated “%(level)s”", indicator=indicator, level=label)
        if scale == "relevance":
            return words("%(indicator)s: relevance rated “%(level)s”", indicator=indicator, level=label)
        return words(
            "%(indicator)s: %(scale)s rated “%(level)s”",
            indicator=indicator,
            scale=scale_name(scale, words),
            level=label,
        )

    def _flag(self, reason: Reason, rule_id: str) -> str:
        rule = self.rules[rule_id]
        title = (self.text(rule.title) if rule.title else "") or self.text(rule.message)
        if reason.value is True:
            return self.words("Point of attention raised: %(flag)s", flag=title)
        if reason.value is False:
            return self.words("Point of attention not raised: %(flag)s", flag=title)
        return self.words("Not known yet whether this point of attention is raised: %(flag)s", flag=title)

    def _case(self, reason: Reason, field_id: str) -> str:
        field = self.case_fields[field_id]
        title = (self.text(field.title) if field.title else "") or as_words(field_id)
        if reason.value is None:
            return self.words("%(field)s is not given", field=title)
        return self.words(
            "%(field)s: %(value)s", field=title, value=case_value(field, reason.value, self.lang, self.instrument)
        )


def case_value(field: CaseField | None, value: object, lang: str, instrument: Instrument | None) -> str:
    """A case fact by its labels; a choice code the instrument does not label, as words (never bare)."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        shown = case_value_text(field, item, lang, instrument)
        if field is not None and field.type == "choice" and shown == str(item) and looks_like_code(shown):
            shown = as_words(shown)
        out.append(shown)
    return ", ".join(out)
