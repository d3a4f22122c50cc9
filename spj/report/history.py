"""The report's view of a case's history: the changes since the last assessment and the charts.

`history_context` compares the current assessment with the latest earlier one
(`spj.compare`) and draws one chart per life area across all of them
(`spj.chart`). The charts are the only markup this package marks safe: they
are built by `spj.chart`, which escapes every text it writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from spj.assessment.model import Assessment
from spj.evaluation.compare import check_comparable, compare
from spj.evaluation.comparison_model import Comparison, FlagChange, IndicatorChange
from spj.evaluation.results import Evaluation
from spj.instrument.model import Instrument
from spj.instrument.text import localize
from spj.report.chart import ChartLabels, life_area_charts
from spj.report.i18n import translations_for
from spj.report.labels import code_labels
from spj.report.wording import Kind, Named, Wording, babel_locale, report_wording

EVIDENCE_SHOWN = 140
"""At most this many characters of an old or new evidence text are quoted among the changes."""


@dataclass(frozen=True)
class FlagChangeView:
    change: FlagChange
    missing: tuple[Named, ...]


@dataclass(frozen=True)
class ChartView:
    domain: str
    title: str
    svg: Markup


def history_context(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    history: Sequence[tuple[Assessment, Evaluation]] | None,
    *,
    lang: str,
    charts: bool = True,
    kind: Kind = "html",
) -> dict[str, Any]:
    """`changes` (None without history) and `charts` (empty unless `charts`) for the report templates."""
    if not history:
        return {"changes": None, "charts": ()}
    earlier = sorted(history, key=lambda pair: pair[0].date)
    everything = [*earlier, (assessment, evaluation)]
    check_comparable(instrument, everything)
    comparison: Comparison = compare(instrument, earlier[-1], (assessment, evaluation), lang=lang)
    titles = {i.id: localize(i.title, lang, instrument) for i in instrument.indicators}
    locale = babel_locale(lang)
    gettext = translations_for(lang).gettext
    labels = ChartLabels(
        title=gettext("{area}: indicators at each assessment"),
        description=gettext(
            "Number of rated indicators in this life area at each assessment, by rating. "
            "Descriptive counts, not a score."
        ),
        risk_present=gettext("Risk indicators present"),
        risk_partial=gettext("Risk indicators partially present"),
        protective_present=gettext("Protective indicators present"),
        y_axis=gettext("Indicators"),
        omitted=gettext("{n} omitted"),
        no_indicators=gettext("none in this life area"),
    )
    drawn = (
        ()
        if not charts
        else life_area_charts(
            instrument,
            everything,
            lang=lang,
            labels=labels,
            date_label=lambda d: _medium_date(d, locale),
            id_prefix="area-chart",
        )
    )
    declared = assessment.previous
    words = report_wording(lang, kind)
    names = code_labels(lang)
    return {
        "changes": {
            "comparison": comparison,
            "previous_id": comparison.previous_id,
            "previous_date": comparison.previous_date,
            "weeks": comparison.weeks_elapsed,
            "declared_previous": declared if declared and declared != comparison.previous_id else "",
            "raised": tuple(_flag(f, titles) for f in comparison.flags if f.change == "raised"),
            "cleared": tuple(_flag(f, titles) for f in comparison.flags if f.change == "cleared"),
            "became_unknown": tuple(_flag(f, titles) for f in comparison.flags if f.change == "unknown"),
            "became_known": tuple(_flag(f, titles) for f in comparison.flags if f.change == "known"),
            "count": len(everything),
            "evidence": {i.id: _evidence_sentences(i, words) for i in comparison.indicators if i.evidence},
            "judgements": tuple(
                {
                    "title": j.title,
                    "from": (names.level(j.from_code) if j.from_label == j.from_code else j.from_label),
                    "to": (names.level(j.to_code) if j.to_label == j.to_code else j.to_label),
                }
                for j in comparison.judgements
            ),
            "providers": {
                s.provider: names.provider(s.provider)
                for s in (*comparison.added, *comparison.completed, *comparison.dropped)
            },
        },
        "charts": tuple(ChartView(c.domain, c.title, Markup(c.svg)) for c in drawn) if charts else (),
    }


_EVIDENCE = {
    ("for", "added"): "Evidence for %(indicator)s written: “%(new)s”",
    ("for", "removed"): "Evidence for %(indicator)s removed (it read “%(old)s”)",
    ("for", "changed"): "Evidence for %(indicator)s changed: “%(old)s” → “%(new)s”",
    ("against", "added"): "Evidence against %(indicator)s written: “%(new)s”",
    ("against", "removed"): "Evidence against %(indicator)s removed (it read “%(old)s”)",
    ("against", "changed"): "Evidence against %(indicator)s changed: “%(old)s” → “%(new)s”",
}


def _evidence_sentences(change: IndicatorChange, words: Wording) -> tuple[str, ...]:
    """One short sentence per evidence text that changed: old → new, each cut to `EVIDENCE_SHOWN`, escaped."""
    indicator = f"{change.title} ({change.id})"
    out = []
    for e in change.evidence:
        how = "added" if not e.before else "removed" if not e.after else "changed"
        out.append(words(_EVIDENCE[(e.part, how)], indicator=indicator, old=brief(e.before), new=brief(e.after)))
    return tuple(out)


def brief(text: str, limit: int = EVIDENCE_SHOWN) -> str:
    """`text` on one line, cut at a word before `limit` characters with "…" when longer.

    >>> brief("one  two three", 9)
    'one two…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"


def _flag(change: FlagChange, titles: dict[str, str]) -> FlagChangeView:
    return FlagChangeView(change, tuple(Named(i, titles.get(i, i)) for i in change.missing))


def _medium_date(value: dt.date, locale: Any) -> str:
    return format_date(value, format="medium", locale=locale)
