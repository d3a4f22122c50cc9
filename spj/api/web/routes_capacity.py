"""Caseload and capacity: cases per year, open cases per expert, partner demand against capacity, and what the
next quarter needs (`Workspace.capacity_figures`); its CSV and JSON.

Staff only. No case and no expert is named (experts by pseudonym); counts from 1 to 4 read `<5`. With fewer than
5 cases the page says so and shows no figure. The charts are `spj.report.capacity`'s SVG, every text escaped,
inline as the report embeds its charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from spj.api.web.pages import WebRoute, current_user, language_of, render, t, workspace_of
from spj.evaluation.caseload import QUARTER_WEEKS, TooFewCasesError
from spj.evaluation.caseload_model import PartnerDemand
from spj.instrument.text import localize
from spj.report.capacity import SUPPRESSED, capacity_csv, capacity_json, demand_svg, years_svg

if TYPE_CHECKING:
    from spj.disclosure import Deployment
    from spj.service import Workspace

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True)
class PartnerView:
    """One partner's row: names and cells already strings."""

    id: str
    title: str
    known: bool
    capacity: str
    first_short: str
    more: int | None
    weeks: tuple[tuple[str, bool], ...]  # (demand cell, short) for the next quarter's weeks
    chart: Markup


@router.get("/stats/capacity")
async def capacity_page(request: Request) -> Response:
    user = current_user(request)
    lang = language_of(request)
    workspace = workspace_of(request)
    context: dict[str, object] = {
        "title": t(request, "Caseload and capacity"),
        "nav": "stats",
        "suppressed": SUPPRESSED,
        "too_few": False,
        "figures": None,
    }
    try:
        figures = workspace.capacity_figures(user)
    except TooFewCasesError:
        context["too_few"] = True
        return render(request, "stats_capacity.html", context, user=user)
    titles = _partner_titles(workspace.deployment, lang)
    context |= {
        "figures": figures,
        "categories": sorted({code for y in figures.years for code in y.categories}),
        "phases": sorted({code for y in figures.years for code in y.phases}),
        "labels": _labels(workspace, lang),
        "open_cases": SUPPRESSED if 0 < figures.open_cases < 5 else str(figures.open_cases),
        "years_chart": Markup(years_svg(figures, lang=lang)),
        "partners": [_partner_view(p, titles, lang) for p in figures.partners],
        "quarter_weeks": [w.week.isoformat() for w in figures.partners[0].weeks[:QUARTER_WEEKS]]
        if figures.partners
        else [],
    }
    return render(request, "stats_capacity.html", context, user=user)


@router.get("/stats/capacity.csv")
async def capacity_download_csv(request: Request) -> Response:
    figures = workspace_of(request).capacity_figures(current_user(request))
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="capacity.csv"'}
    return Response(capacity_csv(figures), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/stats/capacity.json")
async def capacity_download_json(request: Request) -> Response:
    figures = workspace_of(request).capacity_figures(current_user(request))
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="capacity.json"'}
    return Response(capacity_json(figures), media_type="application/json", headers=headers)


def _partner_titles(deployment: Deployment | None, lang: str) -> dict[str, str]:
    agencies = deployment.agencies if deployment is not None else ()
    return {a.id: (localize(a.title, lang, None) if a.title else a.id) for a in agencies}


def _labels(workspace: Workspace, lang: str) -> dict[str, str]:
    """The words of the category and phase codes, from the instruments that define them (else the code)."""
    labels: dict[str, str] = {}
    for instrument in workspace.instruments.list():
        for field in instrument.case_fields:
            if field.id in ("status", "phase"):
                for code, text in field.labels.items():
                    labels.setdefault(code, localize(text, lang, instrument))
    return labels


def _partner_view(partner: PartnerDemand, titles: dict[str, str], lang: str) -> PartnerView:
    title = titles.get(partner.partner, partner.partner)
    return PartnerView(
        id=partner.partner,
        title=title,
        known=partner.known,
        capacity="" if partner.capacity is None else str(partner.capacity),
        first_short=partner.first_short_week.isoformat() if partner.first_short_week else "",
        more=partner.more_places_next_quarter,
        weeks=tuple(
            (SUPPRESSED if w.demand is None else str(w.demand), w.short) for w in partner.weeks[:QUARTER_WEEKS]
        ),
        chart=Markup(demand_svg(partner, lang=lang, name=title)),
    )
