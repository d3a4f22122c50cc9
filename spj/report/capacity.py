"""The caseload and capacity figures (`spj.evaluation.caseload_model`) as CSV, JSON, plain text and SVG charts.

The CSV is long: one row per cell (`table,row,column,value`), a suppressed cell
reads `<5`. The JSON states the suppression rule and how categories are counted
once. Both end with the answer to "how many more trained experts or partner
places will we need next quarter". Nothing names a case; experts appear by
pseudonym. The charts are deterministic SVG text, every word escaped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from spj.evaluation.caseload_model import CaseloadFigures, PartnerDemand
from spj.report.i18n import SOURCE_LANGUAGE, translations_for

SUPPRESSED = "<5"
SUPPRESSION_RULE = "counts from 1 to 4 are null; shortages are found on the true counts"
CATEGORY_RULE = (
    "a case counts once under each of its categories (a multiple choice), so a year's categories may add up to"
    " more than its cases"
)
INTAKE_RULE = "a case counts in the year of its first assessment, with the category and phase recorded then"
OPEN_RULE = "open: the latest assessment is a draft, or a final whose agreed plan has a step still to be delivered"
EXPERTS_RULE = "experts needed = open cases / caseload per expert, rounded up, minus the certified experts"


def _cell(value: int | None) -> object:
    return SUPPRESSED if value is None else value


def answer_lines(figures: CaseloadFigures) -> list[str]:
    """The answer, in English: how many more trained experts and partner places next quarter."""
    lines = []
    need = figures.experts_needed
    if need is None:
        lines.append("Experts: no caseload per expert is declared (deployment: planning.caseload_per_expert).")
    else:
        lines.append(
            f"Experts: {need.more} more trained expert(s) needed next quarter ({_open_words(figures)} at"
            f" {need.caseload_per_expert} per expert need {need.needed}; {need.certified} certified)."
        )
    for partner in figures.partners:
        lines.append(f"{partner.partner}: {_partner_words(partner)}")
    return lines


def _open_words(figures: CaseloadFigures) -> str:
    count = figures.open_cases
    return "fewer than 5 open cases" if 0 < count < 5 else f"{count} open cases"


def _partner_words(partner: PartnerDemand) -> str:
    if not partner.known:
        return "not in the deployment: no capacity to compare with (add the agency and its capacity)."
    if partner.capacity is None:
        return "no capacity declared (deployment: agencies[].capacity)."
    if partner.first_short_week is None:
        return f"enough places ({partner.capacity} per week) over the weeks ahead."
    more = partner.more_places_next_quarter
    if more == 0:
        return (
            f"enough places next quarter; demand exceeds its {partner.capacity} per week"
            f" from the week of {partner.first_short_week.isoformat()}."
        )
    amount = "more places (fewer than 5 cases behind it)" if more is None else f"{more} more place(s) per week"
    return (
        f"{amount} needed next quarter; demand first exceeds its {partner.capacity} per week"
        f" in the week of {partner.first_short_week.isoformat()}."
    )


def capacity_csv(figures: CaseloadFigures) -> str:
    """One row per cell: `table,row,column,value`; suppressed cells read `<5`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("table", "row", "column", "value"))
    for year in figures.years:
        writer.writerow(("cases_per_year", year.year, "cases", _cell(year.cases)))
        for code, count in year.categories.items():
            writer.writerow(("cases_per_year", year.year, f"category:{code}", _cell(count)))
        for code, count in year.phases.items():
            writer.writerow(("cases_per_year", year.year, f"phase:{code or 'not_recorded'}", _cell(count)))
    for expert in figures.experts:
        writer.writerow(("open_cases_per_expert", expert.pseudonym, "certified", str(expert.certified).lower()))
        writer.writerow(("open_cases_per_expert", expert.pseudonym, "open_cases", _cell(expert.open_cases)))
    for partner in figures.partners:
        writer.writerow(("partner_demand", partner.partner, "capacity_per_week", _blank(partner.capacity)))
        for week in partner.weeks:
            writer.writerow(("partner_demand", partner.partner, week.week.isoformat(), _cell(week.demand)))
    need = figures.experts_needed
    if need is not None:
        for key, value in need.to_dict().items():
            writer.writerow(("next_quarter", "experts", key, value))
    for partner in figures.partners:
        first = partner.first_short_week.isoformat() if partner.first_short_week else ""
        writer.writerow(("next_quarter", partner.partner, "first_shortage_week", first))
        more = partner.more_places_next_quarter
        writer.writerow(("next_quarter", partner.partner, "more_places", _blank(more)))
    return out.getvalue()


def _blank(value: int | None) -> object:
    return "" if value is None else value


def capacity_json(figures: CaseloadFigures) -> str:
    """The figures as JSON: the rules stated once, suppressed cells null, and the answer."""
    body: dict[str, Any] = {
        "as_of": figures.as_of.isoformat(),
        "suppressed": SUPPRESSION_RULE,
        "counting": {"intake": INTAKE_RULE, "categories": CATEGORY_RULE, "open": OPEN_RULE, "experts": EXPERTS_RULE},
        "cases": figures.cases,
        "open_cases": _small(figures.open_cases),
        "cases_per_year": [y.to_dict() for y in figures.years],
        "open_cases_per_expert": [e.to_dict() for e in figures.experts],
        "partner_demand": [p.to_dict() for p in figures.partners],
        "next_quarter": {
            "experts": figures.experts_needed.to_dict() if figures.experts_needed else None,
            "partners": [
                {
                    "partner": p.partner,
                    "first_shortage_week": p.first_short_week.isoformat() if p.first_short_week else None,
                    "more_places": p.more_places_next_quarter,
                }
                for p in figures.partners
            ],
            "answer": answer_lines(figures),
        },
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _small(count: int) -> int | None:
    return None if 0 < count < 5 else count


def capacity_text(figures: CaseloadFigures) -> str:
    """A short summary for the terminal: the yearly intake and the answer."""
    lines = [f"Caseload and capacity on {figures.as_of.isoformat()} ({figures.cases} cases)", "", "Cases per year:"]
    lines += [f"  {y.year}: {_cell(y.cases)}" for y in figures.years]
    lines += ["", "Next quarter:"]
    lines += [f"  {line}" for line in answer_lines(figures)]
    return "\n".join(lines) + "\n"


# The charts' own words, looked up in the report's catalogs (`spj/report/locale`).
YEARS_TITLE = "Cases per year of intake"
DEMAND_TITLE = "Demand per week against capacity"
CAPACITY_WORD = "Capacity"
DEMAND_WORD = "Demand"
_WIDTH = 640


def years_svg(figures: CaseloadFigures, *, lang: str = SOURCE_LANGUAGE) -> str:
    """Bars of cases per year; a suppressed year drawn as text `<5`."""
    words = translations_for(lang).gettext
    title = words(YEARS_TITLE)
    top = max([y.cases for y in figures.years if y.cases is not None] + [1])
    scale = (_WIDTH - 120) / top
    rows = []
    y = 30
    for year in figures.years:
        rows.append(f'<text x="4" y="{y + 12}" font-size="12">{year.year}</text>')
        if year.cases is None:
            rows.append(f'<text x="60" y="{y + 12}" font-size="11">{escape(SUPPRESSED)}</text>')
        else:
            width = round(year.cases * scale, 1)
            rows.append(f'<rect x="60" y="{y}" width="{width}" height="16" class="cases"/>')
            rows.append(f'<text x="{60 + width + 4}" y="{y + 12}" font-size="11">{year.cases}</text>')
        y += 24
    return _svg(title, lang, y + 6, rows, ".cases{fill:#5b7fa6}")


def demand_svg(partner: PartnerDemand, *, lang: str = SOURCE_LANGUAGE, name: str | None = None) -> str:
    """One partner: a bar per week of demand (dark where it exceeds capacity), the capacity as a dashed line."""
    words = translations_for(lang).gettext
    title = f"{name or partner.partner}: {words(DEMAND_TITLE)}"
    height, left, plot_top, plot_bottom = 190, 40, 40, 160
    values = [w.demand for w in partner.weeks if w.demand is not None]
    top = max([*values, partner.capacity or 0, 5])
    step = (_WIDTH - left - 10) / max(len(partner.weeks), 1)

    def y_of(v: float) -> float:
        return round(plot_bottom - v * (plot_bottom - plot_top) / top, 1)

    rows = [
        f'<rect x="4" y="24" width="10" height="10" class="demand"/>'
        f'<text x="18" y="33" font-size="10">{escape(words(DEMAND_WORD))}</text>',
        f'<line x1="120" y1="29" x2="140" y2="29" class="capacity"/>'
        f'<text x="144" y="33" font-size="10">{escape(words(CAPACITY_WORD))}</text>',
        f'<line x1="{left}" y1="{plot_bottom}" x2="{_WIDTH - 10}" y2="{plot_bottom}" stroke="#555"/>',
        f'<text x="4" y="{plot_top + 4}" font-size="9">{top}</text>',
    ]
    for n, week in enumerate(partner.weeks):
        x = round(left + n * step, 1)
        if week.demand is None:
            rows.append(f'<text x="{x}" y="{plot_bottom - 4}" font-size="7">{escape(SUPPRESSED)}</text>')
        elif week.demand:
            css = "short" if week.short else "demand"
            y = y_of(week.demand)
            rows.append(
                f'<rect x="{x}" y="{y}" width="{round(step * 0.8, 1)}" height="{round(plot_bottom - y, 1)}"'
                f' class="{css}"/>'
            )
        if n % 4 == 0:
            rows.append(f'<text x="{x}" y="{plot_bottom + 14}" font-size="8">{week.week.isoformat()}</text>')
    if partner.capacity is not None:
        cy = y_of(partner.capacity)
        rows.append(f'<line x1="{left}" y1="{cy}" x2="{_WIDTH - 10}" y2="{cy}" class="capacity"/>')
        rows.append(f'<text x="4" y="{cy + 3}" font-size="9">{partner.capacity}</text>')
    css = ".demand{fill:#5b7fa6}.short{fill:#b2182b}.capacity{stroke:#222;stroke-dasharray:6 3;stroke-width:1.5}"
    return _svg(title, lang, height, rows, css)


def _svg(title: str, lang: str, height: int, rows: list[str], css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}"'
        f' role="img" aria-label="{escape(title)}" lang="{escape(lang)}">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{css}text{{font-family:sans-serif}}</style>\n"
        f'<text x="4" y="16" font-size="14">{escape(title)}</text>\n' + "\n".join(rows) + "\n</svg>\n"
    )


def capacity_svg(
    figures: CaseloadFigures, *, lang: str = SOURCE_LANGUAGE, names: Callable[[str], str] | None = None
) -> str:
    """Every chart in one SVG document: the yearly intake, then one demand chart per partner, stacked."""
    charts = [years_svg(figures, lang=lang)]
    charts += [demand_svg(p, lang=lang, name=names(p.partner) if names else None) for p in figures.partners]
    parts = []
    y = 0
    for chart in charts:
        height = int(re.search(r'height="(\d+)"', chart).group(1))  # type: ignore[union-attr]
        parts.append(chart.replace("<svg ", f'<svg y="{y}" ', 1))
        y += height + 10
    title = escape(translations_for(lang).gettext(YEARS_TITLE))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{y}" viewBox="0 0 {_WIDTH} {y}"'
        f' role="img" aria-label="{title}" lang="{escape(lang)}">\n' + "".join(parts) + "</svg>\n"
    )
