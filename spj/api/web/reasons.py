"""The live panel's reasons as sentences a reader knows, from the engine's structured reasons.

"PS1 Lack of daily structure is rated “Partially present”", never `ratings.PS1.presence: 1`;
"Housing and finances: 1 risk indicator rated present", never `domains.housing_finances.risk.present: 1`.
Anything the instrument does not name is shown by its id and value, as a last resort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spj.api.web.templating import gettext
from spj.evaluation.results import Reason, render_ref
from spj.instrument.model import Instrument, Text
from spj.instrument.text import localize

_COUNTS = {
    ("risk", "present"): "%(area)s, risk indicators rated present: %(n)s",
    ("risk", "partial"): "%(area)s, risk indicators rated partially present: %(n)s",
    ("risk", "absent"): "%(area)s, risk indicators rated absent: %(n)s",
    ("protective", "present"): "%(area)s, protective indicators rated present: %(n)s",
    ("protective", "partial"): "%(area)s, protective indicators rated partially present: %(n)s",
    ("protective", "absent"): "%(area)s, protective indicators rated absent: %(n)s",
}
_STATUS = {
    "omitted": "%(indicator)s is omitted (no information yet)",
    "not rated": "%(indicator)s is not rated yet",
    "not applicable": "%(indicator)s is not asked for this case",
}


class PanelReasons:
    """Sentences for the reasons of flags and recommendations, in one language."""

    def __init__(self, instrument: Instrument, lang: str) -> None:
        self.instrument, self.lang = instrument, lang
        self.indicators = {i.id: i for i in instrument.indicators}
        self.rules = {r.id: r for r in instrument.rules}
        self.domains = {d.id: d for d in instrument.domains}
        self.case_fields = {f.id: f for f in instrument.case_fields}

    def loc(self, text: Text | None) -> str:
        return localize(text, self.lang, self.instrument)

    def _(self, message: str, **values: Any) -> str:
        return gettext(self.lang, message, **values)

    def names(self, ids: Sequence[str]) -> list[str]:
        return [f"{i} {self.loc(self.indicators[i].title)}" if i in self.indicators else i for i in ids]

    def sentence(self, reason: Reason) -> str:
        ref = reason.ref
        if ref.root == "ratings" and len(ref.rest) == 1 and ref.name in self.indicators:
            return self._rating(reason, ref.name, ref.rest[0])
        if ref.root == "flags" and not ref.rest and ref.name in self.rules:
            return self._flag(reason, ref.name)
        if ref.root == "domains" and len(ref.rest) == 2 and ref.name in self.domains and tuple(ref.rest) in _COUNTS:
            area = self.loc(self.domains[ref.name].title)
            return self._(_COUNTS[(ref.rest[0], ref.rest[1])], area=area, n=reason.value)
        if ref.root == "case" and not ref.rest and ref.name in self.case_fields:
            return self._case(reason, ref.name)
        value = self._(reason.status) if reason.status else str(reason.value if reason.code is None else reason.code)
        return f"{render_ref(ref)}: {value}"

    def _rating(self, reason: Reason, indicator_id: str, scale: str) -> str:
        indicator = f"{indicator_id} {self.loc(self.indicators[indicator_id].title)}"
        if reason.value is None and reason.status in _STATUS:
            return self._(_STATUS[reason.status], indicator=indicator)
        levels = self.instrument.scales.get(scale, ())
        label = next((self.loc(level.label) for level in levels if level.code == reason.code), reason.code or "")
        if scale == "presence":
            return self._("%(indicator)s is rated “%(level)s”", indicator=indicator, level=label)
        if scale == "relevance":
            return self._("%(indicator)s: relevance rated “%(level)s”", indicator=indicator, level=label)
        return self._(
            "%(indicator)s: %(scale)s rated “%(level)s”", indicator=indicator, scale=self._(scale), level=label
        )

    def _flag(self, reason: Reason, rule_id: str) -> str:
        rule = self.rules[rule_id]
        title = self.loc(rule.title) or self.loc(rule.message) or rule_id
        if reason.value is True:
            return self._("Signal raised: %(flag)s", flag=title)
        if reason.value is False:
            return self._("Signal not raised: %(flag)s", flag=title)
        return self._("Not known yet whether this signal is raised: %(flag)s", flag=title)

    def _case(self, reason: Reason, field_id: str) -> str:
        field = self.case_fields[field_id]
        title = self.loc(field.title) or field_id
        if reason.value is None:
            return self._("%(field)s is not given", field=title)
        code = str(reason.value)
        label = field.labels.get(code) if field.labels else None
        return self._("%(field)s: %(value)s", field=title, value=self.loc(label) if label else self._(code))
