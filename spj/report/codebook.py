"""The codebook: the manual a rater reads, rendered from an instrument.

It shows the scales, every life area and indicator with its guidance and
anchors, the case fields, each rule and recommendation in plain language
(`spj.report.explain`), the intervention graph (inline SVG, laid out here,
drawn by the template) and the summary judgements. It reuses the narrative
report's sandboxed environment, catalogs and PDF path; nothing is marked safe.

>>> html = render_codebook(instrument, lang="nl")  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Literal

from spj.evaluation.plan import build_plan
from spj.instrument.model import Instrument, RecordField, Text
from spj.instrument.text import localize
from spj.report.document import Kind, render_document
from spj.report.escaping import MdText, md_code
from spj.report.explain import explain_expression
from spj.report.i18n import translations_for
from spj.report.tracks import track_title
from spj.report.wording import Named

Format = Literal["html", "md", "pdf"]
_TEMPLATES: dict[Kind, str] = {"html": "codebook.html", "md": "codebook.md"}

# What `informs:` tells the rater, per declared step (msgids of the report catalogs).
INFORMS = {
    "formulation": "Informs the formulation: no rule reads this indicator; weigh it when you write the formulation.",
}

# Graph geometry, in SVG user units.
BOX_WIDTH = 170
COLUMN_GAP = 44
ROW_GAP = 18
LINE_HEIGHT = 16
MARGIN = 12
HEADER = 26
WRAP = 20
MAX_LINES = 3


@dataclass(frozen=True)
class LevelView:
    code: str
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class ScaleView:
    id: str
    name: str
    levels: tuple[LevelView, ...]

    @property
    def described(self) -> bool:
        """Whether any level has a description (else the column is left out)."""
        return any(level.description for level in self.levels)


@dataclass(frozen=True)
class AnchorView:
    code: str
    label: str
    text: str


@dataclass(frozen=True)
class IndicatorView:
    id: str
    title: str
    kind: str
    guidance: str
    scales: tuple[str, ...]
    anchors: tuple[AnchorView, ...]
    informs: str = ""  # what the indicator informs besides rules, as a sentence; "" when it declares nothing
    conditions: tuple[str, ...] = ()  # when it (or one of its scales) is asked, in words (`applies_when`)


@dataclass(frozen=True)
class DomainView:
    id: str
    title: str
    description: str
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class CaseFieldView:
    id: str
    title: str
    type: str
    choices: tuple[Named, ...]
    multiple: bool = False
    guidance: str = ""


@dataclass(frozen=True)
class Condition:
    """An expression and its plain-language clause (empty when it cannot be explained)."""

    source: str
    sentence: str
    source_md: MdText


@dataclass(frozen=True)
class RuleView:
    id: str
    title: str
    severity: str
    message: str
    when: Condition


@dataclass(frozen=True)
class InterventionView:
    id: str
    title: str
    description: str
    domain: str
    provider: str
    duration_weeks: int
    phase: int
    when: Condition
    requires: tuple[Named, ...]
    after: tuple[Named, ...]
    reasons_to_wait: tuple[DependencyReason, ...] = ()
    track: str = ""


@dataclass(frozen=True)
class DependencyReason:
    """Why an intervention waits for another: the instrument's `rationale` for that dependency."""

    step: Named
    rationale: str


@dataclass(frozen=True)
class JudgementView:
    id: str
    title: str
    description: str
    levels: tuple[Named, ...]
    rationale_required: bool


@dataclass(frozen=True)
class Box:
    id: str
    x: int
    y: int
    width: int
    height: int
    lines: tuple[str, ...]
    provider: str


@dataclass(frozen=True)
class Edge:
    kind: str  # "requires" | "after"
    path: str


@dataclass(frozen=True)
class Column:
    number: int
    x: int


@dataclass(frozen=True)
class GraphView:
    width: int
    height: int
    columns: tuple[Column, ...]
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


def intervention_phases(instrument: Instrument) -> list[list[str]]:
    """The phases of a plan holding every intervention (`spj.evaluation.plan`), in instrument order."""
    plan = build_plan(instrument, [item.id for item in instrument.interventions])
    return [list(phase) for phase in plan.phases]


def graph_layout(instrument: Instrument, *, lang: str | None = None) -> GraphView:
    """A deterministic layered layout: one column per phase, boxes in instrument order."""
    phases = _order_rows(instrument, intervention_phases(instrument))
    titles = {i.id: localize(i.title, lang, instrument) for i in instrument.interventions}
    wrapped = {key: _wrap(title) for key, title in titles.items()}
    lines = max((len(v) for v in wrapped.values()), default=1) + 1  # + the provider line
    height = lines * LINE_HEIGHT + 12
    providers = {i.id: i.provider for i in instrument.interventions}
    boxes: dict[str, Box] = {}
    columns = []
    for number, phase in enumerate(phases):
        x = MARGIN + number * (BOX_WIDTH + COLUMN_GAP)
        columns.append(Column(number + 1, x))
        for row, node in enumerate(phase):
            y = MARGIN + HEADER + row * (height + ROW_GAP)
            boxes[node] = Box(node, x, y, BOX_WIDTH, height, wrapped[node], providers[node])
    edges = []
    for item in instrument.interventions:
        for kind, befores in (("requires", item.requires), ("after", item.after)):
            for before in befores:
                if before in boxes:
                    edges.append(Edge(kind, _curve(boxes[before], boxes[item.id])))
    rows = max((len(p) for p in phases), default=0)
    return GraphView(
        width=2 * MARGIN + max(len(phases), 1) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP,
        height=2 * MARGIN + HEADER + rows * (height + ROW_GAP),
        columns=tuple(columns),
        boxes=tuple(boxes.values()),
        edges=tuple(edges),
    )


def _order_rows(instrument: Instrument, phases: list[list[str]]) -> list[list[str]]:
    """Each column sorted by the mean row of its predecessors (fewer crossings), then instrument order."""
    order = {item.id: n for n, item in enumerate(instrument.interventions)}
    before = {item.id: (*item.requires, *item.after) for item in instrument.interventions}
    row: dict[str, int] = {}
    ordered: list[list[str]] = []

    def key(node: str) -> tuple[float, int]:
        rows = [row[p] for p in before[node] if p in row]
        return (sum(rows) / len(rows) if rows else float(len(order)), order[node])

    for phase in phases:
        column = sorted(phase, key=key) if ordered else phase
        row.update((node, n) for n, node in enumerate(column))
        ordered.append(column)
    return ordered


def _wrap(title: str) -> tuple[str, ...]:
    lines = textwrap.wrap(title, WRAP, break_long_words=True) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), WRAP, placeholder="…")]
    return tuple(lines)


def _curve(source: Box, target: Box) -> str:
    """A curve from source to target; across several phases it runs in the gap below the source's row."""
    x1, y1 = source.x + source.width, source.y + source.height // 2
    x2, y2 = target.x - 4, target.y + target.height // 2  # leave room for the arrowhead
    if target.x - source.x <= BOX_WIDTH + COLUMN_GAP:
        bend = (x2 - x1) // 2
        return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
    lane = source.y + source.height + ROW_GAP // 2
    half = COLUMN_GAP // 2
    start, end = x1 + COLUMN_GAP, target.x - COLUMN_GAP
    return (
        f"M{x1},{y1} C{x1 + half},{y1} {x1 + half},{lane} {start},{lane} L{end},{lane} "
        f"C{end + half},{lane} {x2 - half},{y2} {x2},{y2}"
    )


def condition_sentences(
    indicator: Any, instrument: Instrument, *, lang: str, scale_names: dict[str, str] | None = None
) -> tuple[str, ...]:
    """When an indicator and each of its conditional scales are asked, in words (the expression when it has none).

    Shared by the codebook and the workspace form, so that both say the same thing.
    """
    translations = translations_for(lang)
    names = scale_names or {}

    def words(source: str) -> str:
        return explain_expression(source, instrument, lang=lang, translations=translations) or source

    out = []
    if indicator.applies_when:
        out.append(
            translations.gettext("Asked only when %(condition)s.") % {"condition": words(indicator.applies_when)}
        )
    for scale, source in indicator.scale_applies_when.items():
        out.append(
            translations.gettext("%(scale)s: asked only when %(condition)s.")
            % {"scale": names.get(scale, translations.gettext(scale)).capitalize(), "condition": words(source)}
        )
    return tuple(out)


def codebook_context(instrument: Instrument, *, lang: str, spj_version: str = "") -> dict[str, Any]:
    """What the codebook templates read: plain values, texts localized, nothing marked safe."""
    translations = translations_for(lang)

    def text(value: Text | None) -> str:
        return localize(value, lang, instrument)

    def condition(source: str) -> Condition:
        sentence = explain_expression(source, instrument, lang=lang, translations=translations)
        return Condition(source, sentence or "", md_code(source))

    scale_names = {"presence": translations.gettext("presence"), "relevance": translations.gettext("relevance")}
    presence = instrument.scales.get("presence", ())
    domains = {d.id: d for d in instrument.domains}
    interventions = {i.id: i for i in instrument.interventions}
    phase_of = {node: n for n, phase in enumerate(intervention_phases(instrument), start=1) for node in phase}

    def named(ids: tuple[str, ...]) -> tuple[Named, ...]:
        return tuple(Named(i, text(interventions[i].title)) for i in ids if i in interventions)

    def indicator_view(indicator: Any) -> IndicatorView:
        anchors = tuple(
            AnchorView(level.code, text(level.label), text(indicator.anchors[level.code]))
            for level in presence
            if level.code in indicator.anchors
        )
        return IndicatorView(
            indicator.id,
            text(indicator.title),
            indicator.kind,
            text(indicator.guidance),
            tuple(scale_names.get(s, s) for s in indicator.rate),
            anchors,
            translations.gettext(INFORMS[indicator.informs]) if indicator.informs else "",
            condition_sentences(indicator, instrument, lang=lang, scale_names=scale_names),
        )

    def record_view(f: RecordField) -> CaseFieldView:
        return CaseFieldView(
            f.id,
            text(f.title) or f.id,
            f.type,
            tuple(Named(c, text(f.labels[c]) if c in f.labels else c) for c in f.choices),
            f.multiple,
            text(f.guidance),
        )

    return {
        "lang": lang,
        "spj_version": spj_version,
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "sha256": instrument.sha256,
            "title": text(instrument.title),
            "description": text(instrument.description),
            "license": instrument.license,
            "citation": instrument.citation or "",
            "languages": ", ".join(instrument.languages),
            "max_omitted_percent": round(instrument.omission.max_omitted_ratio * 100),
            # The how-to mentions relevance only when some indicator is rated on it.
            "rates_relevance": any("relevance" in indicator.rate for indicator in instrument.indicators),
        },
        "scales": [
            ScaleView(
                sid,
                scale_names.get(sid, sid),
                tuple(LevelView(lv.code, lv.value, text(lv.label), text(lv.description)) for lv in levels),
            )
            for sid, levels in instrument.scales.items()
        ],
        "domains": [
            DomainView(
                d.id,
                text(d.title),
                text(d.description),
                tuple(indicator_view(i) for i in instrument.indicators if i.domain == d.id),
            )
            for d in instrument.domains
        ],
        "case_fields": [
            CaseFieldView(
                f.id,
                text(f.title) or f.id,
                f.type,
                tuple(Named(c, text(f.labels[c]) if c in f.labels else c) for c in f.choices),
                f.multiple,
            )
            for f in instrument.case_fields
        ],
        # The structured background step and the scenario schema: what the assessor records (issue 14).
        "background": [record_view(f) for f in instrument.background],
        "scenario_fields": [record_view(f) for f in instrument.scenario_fields],
        "rules": [
            RuleView(r.id, text(r.title), r.severity, text(r.message), condition(r.when)) for r in instrument.rules
        ],
        "interventions": [
            InterventionView(
                i.id,
                text(i.title),
                text(i.description),
                text(domains[i.domain].title) if i.domain in domains else i.domain,
                i.provider,
                i.duration_weeks,
                phase_of.get(i.id, 0),
                condition(i.recommend_when),
                named(i.requires),
                named(i.after),
                tuple(
                    DependencyReason(step, text(i.rationale[step.id]))
                    for step in named(tuple(dict.fromkeys((*i.requires, *i.after))))
                    if step.id in i.rationale
                ),
                track_title(i.track, lang),
            )
            for i in instrument.interventions
        ],
        "graph": graph_layout(instrument, lang=lang) if instrument.interventions else None,
        "judgements": [
            JudgementView(
                j.id,
                text(j.title),
                text(j.description),
                tuple(Named(level, text(j.labels[level]) if level in j.labels else level) for level in j.levels),
                j.rationale_required,
            )
            for j in instrument.judgements
        ],
    }


def render_codebook(instrument: Instrument, *, format: Format | str = "html", lang: str | None = None) -> str | bytes:
    """The codebook of `instrument` as HTML, Markdown or PDF (bytes; needs `spj[pdf]`).

    `lang` defaults to the instrument's default language; texts missing in
    `lang` fall back to it.
    """
    from spj.version import __version__

    return render_document(
        instrument,
        what="codebook",
        templates=_TEMPLATES,
        build_context=lambda language, _kind: codebook_context(instrument, lang=language, spj_version=__version__),
        format=format,
        lang=lang,
    )
