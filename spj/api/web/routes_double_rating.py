"""Blind double rating in the workspace: ask for a second rating, follow it, compare, record the consensus;
and the agreement of the team's double ratings over time.

Thin over `workspace.double_ratings` (`spj.service.double_rating`): while a
double rating is open, every page of the other rating is the 403 `blinded`
page (raised by the workspace, shown by `WebRoute`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import WebRoute, current_user, form_lists, posted_form, redirect, render, t, workspace_of
from spj.evaluation.programme import SMALL_CELL
from spj.service.agreement import ALL_QUARTERS, AgreementCell
from spj.service.double_rating import DoubleRatingError, ItemComparison, PairView
from spj.store.interface import User

router = APIRouter(route_class=WebRoute, include_in_schema=False)
NO_FIGURE = "–"


@router.get("/assessments/{assessment_id}/double-rating")
async def double_rating_page(request: Request, assessment_id: str) -> Response:
    """The double rating an assessment belongs to, or the form to ask for one."""
    return _assessment_page(request, current_user(request), assessment_id)


@router.post("/assessments/{assessment_id}/double-rating")
async def request_second_rating(request: Request, assessment_id: str) -> Response:
    """Ask a second rater (by username) to rate the case blind."""
    user = current_user(request)
    fields = form_lists(await posted_form(request))
    rater = (fields.get("second_rater") or [""])[0]
    try:
        workspace_of(request).double_ratings.request(user, assessment_id, rater)
    except DoubleRatingError as exc:
        return _assessment_page(request, user, assessment_id, error=exc.problems[0].message, status_code=422)
    return redirect(request, f"/assessments/{assessment_id}/double-rating?requested=1")


@router.get("/double-ratings/{rating_id}")
async def comparison_page(request: Request, rating_id: str) -> Response:
    """Both ratings side by side once both are submitted, with the consensus form; before that, its state only."""
    return _comparison_page(request, current_user(request), rating_id)


@router.post("/double-ratings/{rating_id}/consensus")
async def record_consensus(request: Request, rating_id: str) -> Response:
    """The assessor's consensus per differing item; then the draft amendment that carries it."""
    user = current_user(request)
    fields = form_lists(await posted_form(request))
    decisions: dict[str, tuple[str | None, str | None]] = {}
    for name, values in fields.items():
        kind, _, item = name.partition(":")
        if kind in ("value", "note") and item:
            value, note = decisions.get(item, (None, None))
            decisions[item] = (values[0] or None, note) if kind == "value" else (value, values[0])
    try:
        _, draft = workspace_of(request).double_ratings.record_consensus(user, rating_id, decisions)
    except DoubleRatingError as exc:
        errors = {_item_of(p.location.path): p.message for p in exc.problems}
        return _comparison_page(request, user, rating_id, errors=errors, posted=decisions, status_code=422)
    return redirect(request, f"/assessments/{draft.id}?consensus=1")


@dataclass(frozen=True)
class CellView:
    """One row of the agreement page, every figure already a string."""

    instrument: str
    version: str
    quarter: str
    pairs: str
    exact: str
    within_one: str
    items: tuple[tuple[str, str, str, str], ...]  # item, percent agreement, quadratic kappa, ordinal alpha


@router.get("/stats/agreement")
async def agreement_page(request: Request) -> Response:
    """Agreement over time of the team's submitted double ratings; small cells suppressed."""
    user = current_user(request)
    cells = [_cell_view(request, c) for c in workspace_of(request).agreement_over_time(user)]
    context = {
        "title": t(request, "Agreement of double ratings"),
        "nav": "agreement",
        "cells": cells,
        "small": SMALL_CELL,
    }
    return render(request, "agreement.html", context, user=user)


def _assessment_page(
    request: Request, user: User, assessment_id: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    workspace = workspace_of(request)
    view = workspace.get(user, assessment_id)  # sealed for the other rater of an open double rating
    pair = workspace.double_ratings.of(user, assessment_id)
    context = {
        "title": t(request, "Double rating"),
        "view": view,
        "pair": pair,
        "names": _names(request, user, pair),
        "error": error,
        "requested": request.query_params.get("requested") == "1",
    }
    return render(request, "double_rating.html", context, user=user, status_code=status_code)


def _comparison_page(
    request: Request,
    user: User,
    rating_id: str,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, tuple[str | None, str | None]] | None = None,
    status_code: int = 200,
) -> Response:
    desks = workspace_of(request).double_ratings
    pair = desks.get(user, rating_id)
    items: list[ItemComparison] = []
    if pair.submitted:
        pair, items = desks.comparison(user, rating_id)
    context = {
        "title": t(request, "Double rating"),
        "pair": pair,
        "items": items,
        "names": _names(request, user, pair),
        "errors": errors or {},
        "posted": posted or {},
        "differing": [i for i in items if i.verdict != "agree"],
    }
    return render(request, "double_rating_compare.html", context, user=user, status_code=status_code)


def _names(request: Request, user: User, pair: PairView | None) -> dict[str, str]:
    if pair is None:
        return {}
    workspace = workspace_of(request)
    out = {}
    for user_id in (pair.rating.second_rater, pair.rating.requested_by, pair.first.created_by):
        person = workspace.person(user, user_id)
        out[user_id] = person.display_name or person.username if person is not None else user_id
    return out


def _item_of(path: tuple[str | int, ...]) -> str:
    return f"{path[2]}:{path[1]}" if len(path) == 3 else str(path[1]) if len(path) > 1 else ""


def _cell_view(request: Request, cell: AgreementCell) -> CellView:
    quarter = t(request, "All quarters") if cell.quarter == ALL_QUARTERS else cell.quarter
    if cell.report is None:
        return CellView(
            cell.instrument.id, cell.instrument.version, quarter, f"<{SMALL_CELL}", NO_FIGURE, NO_FIGURE, ()
        )
    items = tuple(
        (
            a.item.id,
            _figure(a.agreement.percent, "%"),
            _figure(a.kappa["quadratic"].value, ""),
            _figure(a.alpha.value, ""),
        )
        for a in cell.report.items
    )
    return CellView(
        cell.instrument.id,
        cell.instrument.version,
        quarter,
        str(cell.pairs),
        _figure(cell.exact, "%"),
        _figure(cell.within_one, "%"),
        items,
    )


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return NO_FIGURE
    return f"{value:.1f}{unit}" if unit else f"{value:.2f}"
