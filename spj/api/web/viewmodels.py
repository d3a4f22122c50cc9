"""What the assessment pages show, as plain values: the form's rows, the live panel, two versions side by side.

Pure functions of the instrument, the form values and the service's
`Evaluation`; the texts are localized here so templates stay simple.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spj.api.web.forms import NEW_SCENARIO_ROWS, NEW_SOURCE_ROWS, SCENARIO_KINDS, flatten
from spj.api.web.labels import provider_label
from spj.api.web.progress import form_progress
from spj.api.web.reasons import PanelReasons
from spj.api.web.templating import gettext
from spj.evaluation.results import Evaluation
from spj.instrument.model import Instrument, Text
from spj.instrument.text import localize


@dataclass(frozen=True)
class FormValues:
    """The values a form shows: `value("r.SO1.presence")`, `values("r.SO1.sources")`."""

    fields: Mapping[str, Sequence[str]]

    def value(self, name: str) -> str:
        values = self.fields.get(name) or ()
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return list(self.fields.get(name) or ())

    def rows(self, prefix: str, keys: Sequence[str], blank: int, many: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Numbered rows (`s.0.id`, `s.1.id`, …) plus `blank` empty ones, renumbered from 0.

        A key in `many` holds the list of its values (a group of checkboxes).
        """
        numbers = sorted(
            {int(n.split(".")[1]) for n in self.fields if n.startswith(prefix + ".") and n.split(".")[1].isdigit()}
        )
        rows: list[dict[str, Any]] = [
            {
                **{k: self.value(f"{prefix}.{n}.{k}") for k in keys},
                **{k: self.values(f"{prefix}.{n}.{k}") for k in many},
            }
            for n in numbers
        ]
        rows = [r for r in rows if any(r.values())]
        rows += [{**dict.fromkeys(keys, ""), **{k: [] for k in many}} for _ in range(blank)]
        return [{"n": n, **row} for n, row in enumerate(rows)]


def source_rows(values: FormValues) -> list[dict[str, Any]]:
    return values.rows("s", ("id", "kind", "date", "description"), NEW_SOURCE_ROWS)


def scenario_rows(values: FormValues, instrument: Instrument | None = None) -> list[dict[str, Any]]:
    """The scenario rows; with the instrument, each row's details (`d.<FIELD>`) and `management` too."""
    fields = instrument.scenario_fields if instrument is not None else ()
    one = tuple(f"d.{f.id}" for f in fields if not f.multiple)
    many = tuple(f"d.{f.id}" for f in fields if f.multiple)
    return values.rows("sc", ("kind", "title", "text", *one), NEW_SCENARIO_ROWS, many=("management", *many))


def scenario_kinds() -> tuple[str, ...]:
    return SCENARIO_KINDS


@dataclass
class Line:
    """One entry of the live panel: a title, a tag and the reasons."""

    id: str
    title: str
    tag: str = ""
    detail: str = ""
    why: list[str] = field(default_factory=list)
    missing: str = ""  # the omitted or unrated indicators that keep it unknown


@dataclass
class Panel:
    """The live panel: completeness, flags, recommended and undetermined interventions, the phased plan."""

    indicators: int
    rated: int
    omitted: int
    unrated: int
    omitted_ratio: float
    max_omitted_ratio: float
    sufficient: bool
    flags: list[Line]
    recommended: list[Line]
    undetermined: list[Line]
    phases: list[list[Line]]
    total_weeks: int
    critical_path: list[str]
    domain_progress: dict[str, tuple[int, int]]
    next_to_do: str | None = None  # the first indicator still to rate or omit, in the form's order


def build_panel(
    instrument: Instrument, evaluation: Evaluation, lang: str, content: Mapping[str, Any] | None = None
) -> Panel:
    """The live panel for `evaluation`, its texts in `lang`; progress read from the form's `content` when given."""

    def loc(text: Text | None) -> str:
        return localize(text, lang, instrument)

    explain = PanelReasons(instrument, lang)
    rules = {r.id: r for r in instrument.rules}
    flags = []
    for result in evaluation.flags:
        rule = rules[result.id]
        title = loc(rule.title) or loc(rule.message)
        why = [explain.sentence(r) for r in result.because]
        missing = ", ".join(explain.names(result.missing))
        detail = loc(rule.message) if rule.title else ""
        tag = result.severity if result.status == "raised" else "unknown"
        flags.append(Line(result.id, title, tag, detail, why, missing))
    interventions = {iv.id: iv for iv in instrument.interventions}
    recommended = []
    phases: list[list[Line]] = []
    for phase in evaluation.plan.phases:
        row = []
        for step_id in phase:
            step = evaluation.plan.steps[step_id]
            iv = interventions[step_id]
            weeks = gettext(lang, "weeks %(start)s–%(end)s", start=step.start_week, end=step.end_week)
            if step.reason == "prerequisite":
                why = [
                    gettext(
                        lang, "needed first by %(ids)s", ids=", ".join(_titles(step.required_by, interventions, loc))
                    )
                ]
            else:
                why = [explain.sentence(r) for r in (step.recommendation.because if step.recommendation else ())]
            line = Line(step_id, loc(iv.title), step.reason, f"{provider_label(iv.provider, lang)} · {weeks}", why)
            row.append(line)
            recommended.append(line)
        phases.append(row)
    undetermined = [
        Line(rec.id, loc(interventions[rec.id].title), "undetermined", missing=", ".join(explain.names(rec.missing)))
        for rec in evaluation.undetermined
    ]
    c = evaluation.completeness
    progress = {
        d.id: (s.rated + s.omitted, s.rated + s.omitted + s.unrated)
        for d in instrument.domains
        if (s := evaluation.domains.get(d.id))
    }
    rated, omitted, unrated, next_to_do = c.rated, c.omitted, c.unrated, None
    if content is not None:
        form = form_progress(instrument, content)
        rated, omitted, unrated, progress = form.rated, form.omitted, len(form.to_do), form.per_domain
        next_to_do = form.to_do[0] if form.to_do else None
    return Panel(
        indicators=c.indicators,
        rated=rated,
        omitted=omitted,
        unrated=unrated,
        omitted_ratio=c.omitted_ratio,
        max_omitted_ratio=c.max_omitted_ratio,
        sufficient=c.sufficient,
        flags=flags,
        recommended=recommended,
        undetermined=undetermined,
        phases=phases,
        total_weeks=evaluation.plan.total_weeks,
        critical_path=_titles(evaluation.plan.critical_path, interventions, loc),
        domain_progress=progress,
        next_to_do=next_to_do,
    )


def _titles(ids: Sequence[str], interventions: Mapping[str, Any], loc: Callable[[Any], str]) -> list[str]:
    return [loc(interventions[i].title) if i in interventions else i for i in ids]


@dataclass(frozen=True)
class Difference:
    """One field that differs between the user's version and the current one."""

    name: str
    label: str
    mine: str
    theirs: str
    changed_by_me: bool = False
    changed_by_them: bool = False


def differences(
    instrument: Instrument,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    lang: str,
    *,
    base: Mapping[str, Any] | None = None,
) -> list[Difference]:
    """Every form field whose value differs between two versions, in form order; who changed it, given `base`."""
    a, b = flatten(mine, instrument), flatten(theirs, instrument)
    was = flatten(base, instrument) if base is not None else None
    labels = field_labels(instrument, lang)
    names = list(dict.fromkeys([*a, *b]))
    order = {name: n for n, name in enumerate(labels)}
    names.sort(key=lambda name: order.get(name, len(order)))
    shown = _Display(instrument, lang)
    return [
        Difference(
            n,
            labels.get(n, n),
            shown(n, a.get(n, "")),
            shown(n, b.get(n, "")),
            changed_by_me=was is not None and a.get(n, "") != was.get(n, ""),
            changed_by_them=was is not None and b.get(n, "") != was.get(n, ""),
        )
        for n in names
        if a.get(n, "") != b.get(n, "")
    ]


class _Display:
    """A form value as a reader knows it: a scale code as its label, a ticked box as “yes”."""

    def __init__(self, instrument: Instrument, lang: str) -> None:
        self.instrument, self.lang = instrument, lang
        self.judgements = {j.id: j for j in instrument.judgements}
        self.case_fields = {f.id: f for f in instrument.case_fields}

    def __call__(self, name: str, value: str) -> str:
        parts = name.split(".")
        if not value:
            return value
        if parts[0] == "r" and len(parts) == 3 and parts[2] in self.instrument.scales:
            level = next((lv for lv in self.instrument.scales[parts[2]] if lv.code == value), None)
            return localize(level.label, self.lang, self.instrument) if level else value
        if parts[0] == "r" and parts[-1] == "omit":
            return gettext(self.lang, "yes")
        if parts[0] == "j" and parts[-1] == "level" and parts[1] in self.judgements:
            label = self.judgements[parts[1]].labels.get(value)
            return localize(label, self.lang, self.instrument) if label else gettext(self.lang, value)
        if parts[0] == "case" and len(parts) == 2 and parts[1] in self.case_fields:
            case_field = self.case_fields[parts[1]]
            if case_field.type == "choice":  # a multiple choice is flattened as "code, code"
                return ", ".join(self._choice(case_field.labels.get(c), c) for c in value.split(", "))
        if parts[0] == "sc" and parts[-1] == "kind":
            return gettext(self.lang, value)
        return value

    def _choice(self, label: Text | None, code: str) -> str:
        return localize(label, self.lang, self.instrument) if label else gettext(self.lang, code)


class FieldLabels(dict[str, str]):
    """The form's labels; a source or scenario row's field (`s.0.kind`) is named as the form shows it."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def get(self, name: str, default: Any = None) -> Any:
        if name in self:
            return self[name]
        row = re.fullmatch(r"(s|sc)\.(\d{1,4})(?:\.(\w+))?", name)
        if row is None:
            return default
        kind, n, key = row.group(1), int(row.group(2)) + 1, row.group(3)
        if kind == "s":
            what = gettext(self.lang, "Source %(n)s", n=n)
            names = {"id": "Source id", "kind": "Kind", "date": "Date", "description": "Description"}
        else:
            what = gettext(self.lang, "Scenario %(n)s", n=n)
            names = {"kind": "Kind", "title": "Title", "text": "What could happen"}
        return f"{what} — {gettext(self.lang, names[key])}" if key in names else what


def field_labels(instrument: Instrument, lang: str) -> FieldLabels:
    """A readable label for each form field, in form order."""

    def loc(text: Text | None) -> str:
        return localize(text, lang, instrument)

    labels = FieldLabels(lang)
    labels["date"] = gettext(lang, "Assessment date")
    for case_field in instrument.case_fields:
        labels[f"case.{case_field.id}"] = loc(case_field.title) or case_field.id
    for indicator in instrument.indicators:
        name = f"{indicator.id} {loc(indicator.title)}"
        labels[f"r.{indicator.id}"] = name
        for scale in indicator.rate:
            labels[f"r.{indicator.id}.{scale}"] = f"{name} — {gettext(lang, scale)}"
        for key, label in (
            ("omit", "omitted"),
            ("reason", "reason for omitting"),
            ("for", "evidence for"),
            ("against", "evidence against"),
            ("sources", "sources"),
        ):
            labels[f"r.{indicator.id}.{key}"] = f"{name} — {gettext(lang, label)}"
    labels["formulation"] = gettext(lang, "Formulation")
    for judgement in instrument.judgements:
        labels[f"j.{judgement.id}"] = loc(judgement.title)
        labels[f"j.{judgement.id}.level"] = loc(judgement.title)
        labels[f"j.{judgement.id}.rationale"] = f"{loc(judgement.title)} — {gettext(lang, 'rationale')}"
    for record in instrument.background:
        labels[f"bg.{record.id}"] = f"{gettext(lang, 'Background')} — {loc(record.title) or record.id}"
    labels["review_triggers"] = gettext(lang, "What would bring the review forward")
    return labels
