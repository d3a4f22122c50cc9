"""Training on vignettes in the workspace: the list, a vignette to read, and the sealed feedback.

Thin over `spj.authoring.training`. The record is the library's JSON-lines file (one per
deployment: `app.state.training_record`, default `default_record_path()`), the trainee keyed by
agency and user id so one file serves every agency without mixing them. A vignette is never a
case: nothing here touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

from spj.api.web.pages import (
    WebRoute,
    current_user,
    error_page,
    language_of,
    posted_form,
    redirect,
    render,
    t,
    workspace_of,
)
from spj.assessment import assessment_from_data
from spj.authoring.training import Vignette, default_record_path, load_vignette, progress, read_submissions, submit
from spj.authoring.training.agreement import agreement
from spj.authoring.training.progress import comparisons_of
from spj.errors import SpjError
from spj.instrument import Instrument
from spj.instrument.text import localize
from spj.service.instruments import default_folders
from spj.store.interface import User

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True)
class VignetteRow:
    """One vignette on the list, with the trainee's attempts."""

    instrument: Instrument
    vignette: Vignette
    title: str
    attempts: int


def trainee_key(user: User) -> str:
    """The trainee in the record: agency and user, so agencies sharing a record never mix."""
    return f"{user.agency_id}/{user.id}"


def record_path(request: Request) -> Path:
    """The deployment's training record."""
    given = getattr(request.app.state, "training_record", None)
    return Path(given) if given is not None else default_record_path()


def offered_vignettes(request: Request) -> list[tuple[Instrument, Vignette]]:
    """The vignettes of the instruments the deployment offers, found beside the shipped instrument folders."""
    from spj.instrument.discovery import instrument_ref

    offered = {(i.id, i.version): i for i in workspace_of(request).instruments.list()}
    found: list[tuple[Instrument, Vignette]] = []
    for folder in default_folders():
        for path in sorted(Path(folder).glob("**/vignettes/*.vignette.yaml")):
            ref_id, ref_version, _ = instrument_ref(path)
            instrument = offered.get((ref_id, ref_version))
            if instrument is not None:
                found.append((instrument, load_vignette(path, instrument)))
    return found


def _find(request: Request, vignette_id: str) -> tuple[Instrument, Vignette] | None:
    return next(((i, v) for i, v in offered_vignettes(request) if v.id == vignette_id), None)


@router.get("/training")
async def training(request: Request) -> Response:
    user = current_user(request)
    lang = language_of(request)
    try:
        mine = read_submissions(record_path(request), trainee=trainee_key(user))
    except SpjError as exc:
        return _unreadable(request, exc)
    rows = [
        VignetteRow(i, v, localize(v.title, lang, i), sum(1 for e in mine if e["vignette"] == v.id))
        for i, v in offered_vignettes(request)
    ]
    context = {"title": t(request, "Training"), "nav": "training", "rows": rows}
    return render(request, "training_list.html", context, user=user)


@router.get("/training/{vignette_id}")
async def training_vignette(request: Request, vignette_id: str) -> Response:
    user = current_user(request)
    found = _find(request, vignette_id)
    if found is None:
        return error_page(request, 404, "not-found", t(request, "Not found"), t(request, "No such vignette."))
    instrument, vignette = found
    lang = language_of(request)
    context = {
        "title": localize(vignette.title, lang, instrument),
        "nav": "training",
        "vignette": vignette,
        "narrative": localize(vignette.narrative, lang, instrument),
        "rows": rating_rows(instrument, lang),
        "judgements": [(j.id, localize(j.title, lang, instrument), j.levels) for j in instrument.judgements],
    }
    return render(request, "training_vignette.html", context, user=user)


@router.get("/training/{vignette_id}/feedback")
async def training_feedback(request: Request, vignette_id: str) -> Response:
    user = current_user(request)
    found = _find(request, vignette_id)
    if found is None:
        return error_page(request, 404, "not-found", t(request, "Not found"), t(request, "No such vignette."))
    instrument, vignette = found
    try:
        submissions = read_submissions(record_path(request), trainee=trainee_key(user))
    except SpjError as exc:
        return _unreadable(request, exc)
    mine = [e for e in submissions if e["vignette"] == vignette.id]
    if not mine:
        return error_page(
            request,
            403,
            "reference-sealed",
            t(request, "Reference sealed"),
            t(request, "The reference is shown only after you have submitted your own rating of this vignette."),
        )
    first = mine[0]
    lang = language_of(request)
    context = {
        "title": localize(vignette.title, lang, instrument),
        "nav": "training",
        "vignette": vignette,
        "items": first["items"],
        "attempts": len(mine),
        "rationales": vignette.rationales,
        "here": [g.to_dict() for g in agreement([(c.item, c) for c in comparisons_of(first)])],
        "overall": progress(trainee_key(user), submissions, instrument=(instrument.id, instrument.version)).to_dict(),
    }
    return render(request, "training_feedback.html", context, user=user)


def _unreadable(request: Request, exc: SpjError) -> Response:
    """A training record that cannot be read: said plainly (a 503: the server's file, not the user's request)."""
    return error_page(request, 503, "training-record", t(request, "Training record"), str(exc.problems[0].message))


def rating_rows(instrument: Instrument, lang: str) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """Per indicator: id, title, and its rated scales with their level codes."""
    return [
        (
            ind.id,
            localize(ind.title, lang, instrument),
            [(s, [str(level.code) for level in instrument.scales[s]]) for s in ind.rate if s in instrument.scales],
        )
        for ind in instrument.indicators
    ]


@router.post("/training/{vignette_id}")
async def training_submit(request: Request, vignette_id: str) -> Response:
    user = current_user(request)
    form = await posted_form(request)
    found = _find(request, vignette_id)
    if found is None:
        return error_page(request, 404, "not-found", t(request, "Not found"), t(request, "No such vignette."))
    instrument, vignette = found
    data = vignette.reference.model_dump(mode="json", exclude_none=True)
    ratings: dict[str, dict[str, object]] = {}
    for ind, _, scales in rating_rows(instrument, "en"):
        given = {s: str(form.get(f"r.{ind}.{s}") or "") for s, _ in scales}
        omitted = str(form.get(f"o.{ind}") or "").strip()
        ratings[ind] = {"omitted": True, "reason": omitted} if omitted else {s: v for s, v in given.items() if v}
    judgements = {
        j.id: {"level": str(form.get(f"j.{j.id}") or ""), "rationale": str(form.get(f"jr.{j.id}") or "")}
        for j in instrument.judgements
    }
    data.update(
        id=f"training-{vignette.id}",
        assessor={"id": trainee_key(user)},
        status="final",
        ratings=ratings,
        judgements={k: {f: v for f, v in j.items() if v} for k, j in judgements.items()},
    )
    try:
        submitted = assessment_from_data(data, instrument)
        submit(instrument, vignette, submitted, record=record_path(request))
    except SpjError as exc:
        problems = "; ".join(p.message for p in exc.problems)
        return error_page(request, 422, "invalid", t(request, "Not submitted"), problems)
    return redirect(request, f"/training/{vignette.id}/feedback")
