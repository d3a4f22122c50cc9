"""The JSON API (`/api/v1`): thin over `spj.service.Workspace`, token-authenticated, scoped to an agency.

Every route parses, calls one workspace method and formats; errors become
`{"error": {...}}` through `spj.api.errors`. A record of another agency is
404, exactly as a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.errors import PreconditionFailedError
from spj.api.idempotency import IdempotentRoute
from spj.api.models import (
    MAX_REVISION,
    AssessmentOut,
    CountersignIn,
    CreateAssessment,
    ErrorOut,
    HistoryOut,
    InstrumentSummary,
    NewFrom,
    RecordOut,
    RevisionOut,
    SaveAssessment,
    StatusUpdate,
)
from spj.api.paging import PAGE_HEADERS, AssessmentQuery, decode_cursor, encode_cursor
from spj.api.urls import under_root
from spj.errors import Code, Location, Problem
from spj.service import AssessmentView, SaveConflictError
from spj.service.errors import InvalidRequestError
from spj.store.interface import AssessmentFilter, User

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (401, "no or bad API token (code unauthenticated)"),
        (404, "no such record in your agency (code not-found)"),
        (422, "invalid request or content; each problem names its field (codes invalid-request, schema, ...)"),
    )
}
CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "saved by someone else in between: your content is echoed back"},
    412: {"model": ErrorOut, "description": "If-Match is not the head revision"},
    423: {"model": ErrorOut, "description": "the assessment is final and locked"},
}
REVISION_HEADER = "Spj-Revision"  # the revision a report was rendered from
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
REPORT_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}

router = APIRouter(prefix="/api/v1", responses=ERRORS, route_class=IdempotentRoute)


def _etag(revision: int) -> str:
    return f'"{revision}"'


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdecimal() and len(text) <= 10 and 1 <= int(text) <= MAX_REVISION):
        raise InvalidRequestError('If-Match must be a revision number in quotes, like "3"', "header", "If-Match")
    return int(text)


def _base(body: SaveAssessment | StatusUpdate, if_match: str | None) -> tuple[int, bool]:
    """The revision the save edits, and whether it came from If-Match."""
    from_header = _if_match(if_match)
    if from_header is not None:
        if body.base_revision is not None and body.base_revision != from_header:
            raise InvalidRequestError("base_revision and If-Match disagree; send one", "body", "base_revision")
        return from_header, True
    if body.base_revision is None:
        raise InvalidRequestError("state the revision you edited: base_revision, or If-Match", "body", "base_revision")
    return body.base_revision, False


def _precondition(exc: SaveConflictError) -> PreconditionFailedError:
    failed = PreconditionFailedError(exc.assessment_id, exc.base, exc.current)
    failed.problems = [
        Problem(
            Code.CONFLICT,
            f"If-Match revision {exc.base} is not the head revision {exc.current}; your content is kept",
            Location(),
        )
    ]
    failed.content = exc.content  # type: ignore[attr-defined]
    return failed


def _assessment(response: Response, out: AssessmentOut) -> AssessmentOut:
    response.headers["ETag"] = _etag(out.revision)
    return out


@router.get("/instruments", response_model=list[InstrumentSummary], tags=["instruments"])
def list_instruments(user: TokenUser, workspace: WorkspaceDep, lang: str | None = None) -> list[InstrumentSummary]:
    """The instruments assessments can be made with."""
    return [InstrumentSummary.of(i, lang) for i in workspace.list_instruments()]


@router.get("/instruments/{instrument_id}/{version}", tags=["instruments"])
def get_instrument(instrument_id: str, version: str, user: TokenUser, workspace: WorkspaceDep) -> dict[str, Any]:
    """The instrument document (format spj/1) as JSON, with its content hash."""
    instrument = workspace.get_instrument(instrument_id, version)
    data: dict[str, Any] = instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["sha256"] = instrument.sha256
    return data


@router.get(
    "/assessments",
    response_model=list[RecordOut],
    tags=["assessments"],
    responses={200: {"description": "one page of assessments, oldest first", "headers": PAGE_HEADERS}},
)
def list_assessments(
    request: Request,
    response: Response,
    user: TokenUser,
    workspace: WorkspaceDep,
    page: Annotated[AssessmentQuery, Query()],
) -> list[RecordOut]:
    """Your agency's assessments, oldest first, a page at a time: filter by `status`, `case` and `updated_since`.

    When there is more, the `Next-Cursor` header holds the cursor of the next page (and `Link` its address).
    To stay in sync, remember when a sweep started and pass it as `updated_since` to the next one.
    """
    where = AssessmentFilter(status=page.status, updated_since=page.updated_since, limit=page.limit + 1)
    after = decode_cursor(page.cursor) if page.cursor is not None else None
    records = workspace.list_assessments(user, page.case_id_wanted(), where=where, after=after)
    if len(records) > page.limit:
        records = records[: page.limit]
        cursor = encode_cursor(records[-1].id)
        response.headers["Next-Cursor"] = cursor
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
    return [RecordOut.of(r) for r in records]


@router.post("/assessments", status_code=201, response_model=AssessmentOut, tags=["assessments"])
def create_assessment(
    body: CreateAssessment, user: TokenUser, workspace: WorkspaceDep, request: Request, response: Response
) -> AssessmentOut:
    """Start a blank draft (the case is created when new)."""
    view = workspace.create(user, body.case_id, body.instrument_id, body.instrument_version)
    response.headers["Location"] = under_root(request, f"{router.prefix}/assessments/{view.id}")
    return _assessment(response, AssessmentOut.of_view(view))


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, tags=["assessments"])
def get_assessment(assessment_id: str, user: TokenUser, workspace: WorkspaceDep, response: Response) -> AssessmentOut:
    """The assessment at its head revision (ETag: the revision); the read is audited."""
    return _assessment(response, AssessmentOut.of_view(workspace.read(user, assessment_id)))


@router.put("/assessments/{assessment_id}", response_model=AssessmentOut, responses=CONFLICTS, tags=["assessments"])
def save_assessment(
    assessment_id: str,
    body: SaveAssessment,
    user: TokenUser,
    workspace: WorkspaceDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> AssessmentOut:
    """Save a draft as a new revision on top of the one you edited; 409 (412 with If-Match) if someone saved first."""
    return _write(workspace.save, user, assessment_id, body, if_match, response)


@router.post(
    "/assessments/{assessment_id}/finalise", response_model=AssessmentOut, responses=CONFLICTS, tags=["assessments"]
)
def finalise_assessment(
    assessment_id: str,
    body: SaveAssessment,
    user: TokenUser,
    workspace: WorkspaceDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> AssessmentOut:
    """Finalise and lock; refused (422, every reason at its field) while incomplete."""
    return _write(workspace.finalise, user, assessment_id, body, if_match, response)


@router.post(
    "/assessments/{assessment_id}/reassess",
    status_code=201,
    response_model=AssessmentOut,
    responses=CONFLICTS,
    tags=["assessments"],
)
def reassess(
    assessment_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    request: Request,
    response: Response,
    body: NewFrom | None = None,
) -> AssessmentOut:
    """A new draft for the same case from a final assessment, ratings carried over for review."""
    view = workspace.reassess(user, assessment_id)
    response.headers["Location"] = under_root(request, f"{router.prefix}/assessments/{view.id}")
    return _assessment(response, AssessmentOut.of_view(view))


@router.post(
    "/assessments/{assessment_id}/amend",
    status_code=201,
    response_model=AssessmentOut,
    responses=CONFLICTS,
    tags=["assessments"],
)
def amend(
    assessment_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    request: Request,
    response: Response,
    body: NewFrom | None = None,
) -> AssessmentOut:
    """A new draft that corrects a final assessment (which stays locked)."""
    view = workspace.amend(user, assessment_id)
    response.headers["Location"] = under_root(request, f"{router.prefix}/assessments/{view.id}")
    return _assessment(response, AssessmentOut.of_view(view))


@router.post(
    "/assessments/{assessment_id}/status",
    response_model=AssessmentOut,
    tags=["plan"],
    responses={
        **CONFLICTS,
        409: {"model": ErrorOut, "description": "not final (code not-final), or saved by someone else in between"},
        423: {"model": ErrorOut, "description": "more than the delivery of a step would change (code locked)"},
    },
)
def update_status(
    assessment_id: str,
    body: StatusUpdate,
    user: TokenUser,
    workspace: WorkspaceDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> AssessmentOut:
    """On a final assessment: where the delivery of one agreed step stands, as a new revision in its chain.

    Nothing else of a final assessment changes this way (amend it to correct anything else).
    """
    base, conditional = _base(body, if_match)
    try:
        view = workspace.update_status(user, assessment_id, base, body.step, body.delivery())
    except SaveConflictError as exc:
        if conditional:
            raise _precondition(exc) from exc
        raise
    return _assessment(response, AssessmentOut.of_view(view))


@router.get("/assessments/{assessment_id}/evaluation", tags=["assessments"])
def evaluation(assessment_id: str, user: TokenUser, workspace: WorkspaceDep, response: Response) -> dict[str, Any]:
    """The evaluation of the head revision: completeness, life areas, flags, interventions, plan (DESIGN 4.3).

    `revision` (and the ETag) name the revision it evaluates.
    """
    view = workspace.read(user, assessment_id, what="evaluation")
    response.headers["ETag"] = _etag(view.head)
    return {**workspace.evaluation_of(view).to_dict(), "assessment_id": view.id, "revision": view.head}


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {t: {} for t in REPORT_TYPES.values()}, "description": "the report"}},
)
def report(
    assessment_id: str,
    user: TokenUser,
    workspace: WorkspaceDep,
    format: Literal["html", "md", "pdf"] = "html",
    lang: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The narrative report of the head revision (the read is audited)."""
    content, revision = workspace.report_with_revision(user, assessment_id, format, lang)
    headers = {"ETag": _etag(revision), REVISION_HEADER: str(revision)}
    if format == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
    if format == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="{assessment_id}.pdf"'
    return Response(content, media_type=REPORT_TYPES[format], headers=headers)


@router.get("/assessments/{assessment_id}/history", response_model=HistoryOut, tags=["assessments"])
def history(assessment_id: str, user: TokenUser, workspace: WorkspaceDep) -> HistoryOut:
    """Every revision (author, time, content and chain hashes), oldest first."""
    revisions = workspace.history(user, workspace.read(user, assessment_id, what="history").id)
    return HistoryOut(assessment_id=assessment_id, revisions=[RevisionOut.of(r) for r in revisions])


@router.post(
    "/assessments/{assessment_id}/countersign",
    response_model=RecordOut,
    tags=["assessments"],
    responses={
        403: {"model": ErrorOut, "description": "not a reviewer, or the assessor"},
        409: {"model": ErrorOut, "description": "not final, or already countersigned"},
    },
)
def countersign(
    assessment_id: str, user: TokenUser, workspace: WorkspaceDep, body: CountersignIn | None = None
) -> RecordOut:
    """A reviewer's countersignature on a final assessment made by someone else, with an optional comment."""
    return RecordOut.of(workspace.countersign(user, assessment_id, body.comment if body else None))


def _write(
    write: Callable[[User, str, int, Any], AssessmentView],
    user: User,
    assessment_id: str,
    body: SaveAssessment,
    if_match: str | None,
    response: Response,
) -> AssessmentOut:
    """Save or finalise on top of the stated revision; a conflict is 412 when the client used If-Match."""
    base, conditional = _base(body, if_match)
    try:
        view = write(user, assessment_id, base, body.content)
    except SaveConflictError as exc:
        if conditional:
            raise _precondition(exc) from exc
        raise
    return _assessment(response, AssessmentOut.of_view(view))
