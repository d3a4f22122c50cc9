"""Programme evaluation: the figures per intervention over the agency's final assessments, and their CSV.

Staff only (`Workspace.programme_figures`). The chart is `spj.report.programme.figures_svg`, drawn by spj with
every text escaped, embedded inline as the report embeds its charts.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from spj.api.web.pages import WebRoute, current_user, language_of, render, t, workspace_of
from spj.evaluation.programme import COLUMNS, InterventionFigures
from spj.instrument import Instrument
from spj.instrument.model import Text
from spj.instrument.text import localize
from spj.report.programme import SUPPRESSED, figures_svg, sections_csv
from spj.service.programme import ProgrammeSection

router = APIRouter(route_class=WebRoute, include_in_schema=False)
NO_MEDIAN = "–"


@dataclass(frozen=True)
class FiguresRow:
    """One intervention, every cell already a string."""

    id: str
    title: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class SectionView:
    """One instrument's table and chart."""

    title: str
    version: str
    rows: tuple[FiguresRow, ...]
    chart: Markup


@router.get("/stats")
async def stats(request: Request) -> Response:
    user = current_user(request)
    lang = language_of(request)
    sections = [_section_view(request, s, lang) for s in workspace_of(request).programme_figures(user)]
    context = {
        "title": t(request, "Programme figures"),
        "nav": "stats",
        "sections": sections,
        "columns": COLUMNS,
        "suppressed": SUPPRESSED,
    }
    return render(request, "stats.html", context, user=user)


@router.get("/stats.csv")
async def stats_csv(request: Request) -> Response:
    user = current_user(request)
    found = [(s.instrument.id, s.instrument.version, s.figures) for s in workspace_of(request).programme_figures(user)]
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="interventions.csv"'}
    return Response(sections_csv(found), media_type="text/csv; charset=utf-8", headers=headers)


def _section_view(request: Request, section: ProgrammeSection, lang: str) -> SectionView:
    instrument = section.instrument
    title = localize(instrument.title, lang, instrument)
    titles = {i.id: i.title for i in instrument.interventions}
    return SectionView(
        title=title,
        version=instrument.version,
        rows=tuple(_row(f, titles.get(f.id), instrument, lang) for f in section.figures),
        chart=Markup(
            figures_svg(
                section.figures,
                lang=lang,
                names={i.id: localize(i.title, lang, instrument) for i in instrument.interventions},
            )
        ),
    )


def _row(figures: InterventionFigures, title: Text | None, instrument: Instrument, lang: str) -> FiguresRow:
    counts = tuple(SUPPRESSED if (v := figures.counts[c]) is None else str(v) for c in COLUMNS)
    medians = tuple(
        NO_MEDIAN if m is None else str(m) for m in (figures.median_weeks_to_start, figures.median_weeks_to_end)
    )
    return FiguresRow(
        id=figures.id,
        title=localize(title, lang, instrument) if title is not None else figures.id,
        cells=counts + medians,
    )
