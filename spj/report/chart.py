"""Deterministic SVG charts of a case over time: one chart per life area.

Each chart shows, at every assessment of the case (x, in date order, evenly
spaced), how many rated indicators of the life area were a present risk, a
partially present risk and a present protective factor (y). The counts are
descriptive: there is no score and no total. Omitted indicators are counted
under each date, because fewer "present" ratings may only mean less is known.

The SVG is written as text: no random ids, no timestamps, fixed number
formatting, so the same input gives byte-identical output. Every text is
escaped. Accessibility: `role="img"` with `<title>` and `<desc>` (the desc
lists every value), visible text labels and a legend; series differ by
colour *and* by line dash and marker shape, so the chart reads in greyscale.

>>> # charts = life_area_charts(instrument, [(a1, e1), (a2, e2)])
>>> # charts[0].svg.startswith("<svg")
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from spj.assessment.model import Assessment
from spj.evaluation.results import DomainSummary, Evaluation
from spj.instrument.model import Instrument
from spj.instrument.text import localize

WIDTH = 680
HEIGHT = 230
PLOT_LEFT = 46
PLOT_RIGHT = 380
PLOT_TOP = 34
PLOT_BOTTOM = 170
LEGEND_X = 400


@dataclass(frozen=True)
class ChartLabels:
    """The chart's own wording; the report passes translations. `{area}` and `{n}` are filled in."""

    title: str = "{area}: indicators at each assessment"
    description: str = (
        "Number of rated indicators in this life area at each assessment, by rating. Descriptive counts, not a score."
    )
    risk_present: str = "Risk indicators present"
    risk_partial: str = "Risk indicators partially present"
    protective_present: str = "Protective indicators present"
    y_axis: str = "Indicators"
    omitted: str = "{n} omitted"
    no_indicators: str = "none in this life area"


@dataclass(frozen=True)
class Series:
    key: str
    colour: str
    dash: str  # stroke-dasharray, "" for a solid line
    marker: str  # circle | square | triangle


SERIES = (
    Series("risk_present", "#b2182b", "", "circle"),
    Series("risk_partial", "#8c510a", "7 4", "square"),
    Series("protective_present", "#2166ac", "2 3", "triangle"),
)


@dataclass(frozen=True)
class AreaChart:
    """One life area's chart: the domain id, its localized title and the SVG text."""

    domain: str
    title: str
    svg: str


def life_area_charts(
    instrument: Instrument,
    assessments: Sequence[tuple[Assessment, Evaluation]],
    *,
    lang: str | None = None,
    labels: ChartLabels | None = None,
    date_label: Callable[[dt.date], str] = dt.date.isoformat,
    id_prefix: str = "chart",
) -> tuple[AreaChart, ...]:
    """One chart per life area of `instrument`, across `assessments` (sorted by date, stably).

    `date_label` formats the x-axis dates; `id_prefix` keeps element ids unique
    when several charts share one HTML page.
    """
    labels = labels or ChartLabels()
    ordered = sorted(assessments, key=lambda pair: pair[0].date)
    dates = [a.date for a, _ in ordered]
    out = []
    for domain in instrument.domains:
        title = localize(domain.title, lang, instrument)
        kinds = [i.kind for i in instrument.indicators if i.domain == domain.id]
        summaries = [e.domains.get(domain.id) for _, e in ordered]
        svg = area_chart_svg(
            title=title,
            dates=[date_label(d) for d in dates],
            summaries=summaries,
            risk_total=kinds.count("risk"),
            protective_total=kinds.count("protective"),
            labels=labels,
            element_id=f"{id_prefix}-{domain.id}",
        )
        out.append(AreaChart(domain.id, title, svg))
    return tuple(out)


def _values(summary: DomainSummary | None, key: str) -> int | None:
    if summary is None:
        return None
    if key == "risk_present":
        return summary.risk.present
    if key == "risk_partial":
        return summary.risk.partial
    return summary.protective.present


def area_chart_svg(
    *,
    title: str,
    dates: Sequence[str],
    summaries: Sequence[DomainSummary | None],
    risk_total: int,
    protective_total: int,
    labels: ChartLabels,
    element_id: str,
) -> str:
    """The SVG text of one life area's chart (a `None` summary is a gap: the area was not in that version)."""
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", element_id)
    names = {s.key: getattr(labels, s.key) for s in SERIES}
    totals = {"risk_present": risk_total, "risk_partial": risk_total, "protective_present": protective_total}
    y_max = max(risk_total, protective_total, 1)
    heading = labels.title.replace("{area}", title)
    series_values = {s.key: [_values(summary, s.key) for summary in summaries] for s in SERIES}

    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spj-chart" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{safe_id}-title {safe_id}-desc" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<title id="{safe_id}-title">{_x(heading)}</title>',
        f'<desc id="{safe_id}-desc">{_x(_description(labels, dates, series_values, names, totals, summaries))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{PLOT_LEFT}" y="18" font-size="14" font-weight="bold" fill="#1a1a1a">{_x(heading)}</text>',
    ]
    # Horizontal grid and y axis: one line per whole number (every other one past 8).
    step = 1 if y_max <= 8 else 2
    for tick in range(0, y_max + 1, step):
        y = _y(tick, y_max)
        lines.append(f'<line x1="{PLOT_LEFT}" y1="{y}" x2="{PLOT_RIGHT}" y2="{y}" stroke="#d0d0d0" stroke-width="1"/>')
        lines.append(f'<text x="{PLOT_LEFT - 8}" y="{_n(float(y) + 4)}" text-anchor="end" fill="#1a1a1a">{tick}</text>')
    axis_y = _n((PLOT_TOP + PLOT_BOTTOM) / 2)
    lines.append(
        f'<text x="14" y="{axis_y}" text-anchor="middle" fill="#1a1a1a" '
        f'transform="rotate(-90 14 {axis_y})">{_x(labels.y_axis)}</text>'
    )
    lines.append(
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" '
        'stroke="#1a1a1a" stroke-width="1"/>'
    )
    # Dates, each with the number of omitted indicators under it when there are any.
    xs = [_xpos(n, len(dates)) for n in range(len(dates))]
    rotate = len(dates) > 4
    for n, (x, label) in enumerate(zip(xs, dates, strict=True)):
        omitted = summaries[n].omitted if summaries[n] is not None else 0  # type: ignore[union-attr]
        omitted_text = labels.omitted.replace("{n}", str(omitted)) if omitted else ""
        if rotate:
            text = f"{label} ({omitted_text})" if omitted_text else label
            lines.append(
                f'<text x="{x}" y="{PLOT_BOTTOM + 16}" text-anchor="end" fill="#1a1a1a" font-size="11" '
                f'transform="rotate(-30 {x} {PLOT_BOTTOM + 16})">{_x(text)}</text>'
            )
        else:
            lines.append(f'<text x="{x}" y="{PLOT_BOTTOM + 18}" text-anchor="middle" fill="#1a1a1a">{_x(label)}</text>')
            if omitted_text:
                lines.append(
                    f'<text x="{x}" y="{PLOT_BOTTOM + 34}" text-anchor="middle" fill="#444444" font-size="11">'
                    f"{_x(omitted_text)}</text>"
                )
    # Series: dodged sideways a little so equal counts do not hide each other.
    for offset, series in zip((-5, 0, 5), SERIES, strict=True):
        values = series_values[series.key]
        name = names[series.key]
        lines.append(f'<g class="series {series.key}" data-series="{series.key}">')
        if totals[series.key]:
            known = [(float(x) + offset, v, d) for x, v, d in zip(xs, values, dates, strict=True) if v is not None]
            if len(known) > 1:
                dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
                coords = " ".join(f"{_n(px)},{_y(v, y_max)}" for px, v, _ in known)
                lines.append(
                    f'<polyline points="{coords}" fill="none" stroke="{series.colour}" stroke-width="2"{dash}/>'
                )
            for px, v, date in known:
                marker = _marker(series, px, float(_y(v, y_max)))
                lines.append(f"<g>{marker}<title>{_x(f'{name}, {date}: {v}')}</title></g>")
        lines.append("</g>")
    # Legend: line sample, marker and name for each series.
    for n, series in enumerate(SERIES):
        row = PLOT_TOP + 14 + n * 32
        dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
        name = names[series.key]
        lines.append(
            f'<line x1="{LEGEND_X}" y1="{row}" x2="{LEGEND_X + 28}" y2="{row}" stroke="{series.colour}" '
            f'stroke-width="2"{dash}/>'
        )
        lines.append(_marker(series, LEGEND_X + 14, row))
        lines.append(f'<text x="{LEGEND_X + 36}" y="{row + 4}" fill="#1a1a1a" font-size="11">{_x(_fit(name))}</text>')
        if not totals[series.key]:
            lines.append(
                f'<text x="{LEGEND_X + 36}" y="{row + 17}" fill="#444444" font-size="10">'
                f"{_x(_fit(labels.no_indicators, 46))}</text>"
            )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _description(
    labels: ChartLabels,
    dates: Sequence[str],
    series_values: dict[str, list[int | None]],
    names: dict[str, str],
    totals: dict[str, int],
    summaries: Sequence[DomainSummary | None],
) -> str:
    parts = [labels.description]
    for series in SERIES:
        if not totals[series.key]:
            parts.append(f"{names[series.key]}: {labels.no_indicators}.")
            continue
        values = "; ".join(f"{d}: {v}" for d, v in zip(dates, series_values[series.key], strict=True) if v is not None)
        parts.append(f"{names[series.key]} — {values}.")
    omitted = [
        f"{d}: {labels.omitted.replace('{n}', str(s.omitted))}"
        for d, s in zip(dates, summaries, strict=True)
        if s is not None and s.omitted
    ]
    if omitted:
        parts.append("; ".join(omitted) + ".")
    return " ".join(parts)


def _marker(series: Series, x: float, y: float) -> str:
    colour = series.colour
    if series.marker == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{colour}"/>'
    if series.marker == "square":
        return (
            f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return f'<polygon points="{_n(x)},{_n(y - 5.5)} {_n(x + 5)},{_n(y + 4)} {_n(x - 5)},{_n(y + 4)}" fill="{colour}"/>'


def _xpos(n: int, count: int) -> str:
    left, right = PLOT_LEFT + 36, PLOT_RIGHT - 36
    if count == 1:
        return _n((left + right) / 2)
    return _n(left + (right - left) * n / (count - 1))


def _y(value: int, y_max: int) -> str:
    return _n(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value / y_max)


def _n(value: float) -> str:
    """A coordinate with one decimal at most: fixed formatting keeps the output byte-identical."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fit(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _x(text: str) -> str:
    """Escape text for SVG (XML) content and attributes."""
    return escape(text, quote=True)
