"""Programme evaluation over the JSON API: the figures per intervention (`/api/v1/stats/interventions`), and the
caseload and capacity picture (`/api/v1/stats/capacity`).

Thin over `Workspace.programme_figures`: the final assessments of the token's
agency, one section per instrument and version, small cells suppressed
(`spj.report.programme`). Nothing here names a case. Staff only: a partner's
token is 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.json_api import ERRORS
from spj.api.models import ErrorOut
from spj.report.capacity import capacity_csv, capacity_json
from spj.report.programme import Section, sections_csv, sections_json
from spj.service.programme import ProgrammeSection

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["stats"])
REFUSED: dict[int | str, dict[str, Any]] = {403: {"model": ErrorOut, "description": "a partner's token (forbidden)"}}


def sections(found: list[ProgrammeSection]) -> list[Section]:
    """The sections as `spj.report.programme` renders them: (instrument id, version, figures)."""
    return [(s.instrument.id, s.instrument.version, s.figures) for s in found]


@router.get(
    "/stats/interventions",
    responses={
        **REFUSED,
        200: {
            "description": "JSON (default) or CSV; a suppressed cell is null in JSON and `<5` in CSV",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def interventions(
    user: TokenUser,
    workspace: WorkspaceDep,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Response:
    """Per intervention, over your agency's final assessments (the latest per case): how often it was proposed,
    agreed, referred, started, completed and stopped, and the median weeks to its start and end. Counts from 1
    to 4, and medians over fewer than 5 steps, are suppressed."""
    found = sections(workspace.programme_figures(user))
    if format == "csv":
        headers = {"Content-Disposition": 'attachment; filename="interventions.csv"'}
        return Response(sections_csv(found), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(sections_json(found), media_type="application/json")


@router.get(
    "/stats/capacity",
    responses={
        **REFUSED,
        200: {
            "description": "JSON (default) or CSV; a suppressed cell is null in JSON and `<5` in CSV",
            "content": {"application/json": {}, "text/csv": {}},
        },
        422: {"model": ErrorOut, "description": "fewer than 5 cases (`too-few-cases`): no figure is given"},
    },
)
def capacity(
    user: TokenUser,
    workspace: WorkspaceDep,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
    as_of: Annotated[dt.date | None, Query(description="reference date, YYYY-MM-DD (default: today)")] = None,
) -> Response:
    """Caseload and capacity over your agency's assessments: cases per year of intake by category (each code of
    the multiple choice counted) and phase, open cases per pseudonymised expert, each partner's demand per week
    against the places it declares in the deployment, and how many more trained experts and partner places next
    quarter. Counts from 1 to 4 are suppressed; no case is named."""
    figures = workspace.capacity_figures(user, as_of=as_of)
    if format == "csv":
        headers = {"Content-Disposition": 'attachment; filename="capacity.csv"'}
        return Response(capacity_csv(figures), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(capacity_json(figures), media_type="application/json")
