"""One revision of an assessment (`GET .../revisions/{n}`) and partial updates (`PATCH`, JSON Merge Patch).

A PATCH is RFC 7386 over the head revision's content, with `If-Match` naming that revision (required:
428 `precondition-required` without it; 412 when it is not the head). The patched content is then saved
exactly as a PUT would save it: the same validation, the same 409/412/423, a new revision.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import CONFLICTS, ERRORS, _assessment, _if_match, _precondition
from spj.api.models import MAX_REVISION, AssessmentOut, ErrorOut, RevisionOut
from spj.errors import Code, Location, Problem, SpjError
from spj.service import SaveConflictError, Workspace
from spj.service.errors import InvalidRequestError
from spj.service.merge_patch import merge_patch
from spj.store.interface import User

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["assessments"], route_class=IdempotentRoute)
PATCH_TYPES = ("application/merge-patch+json", "application/json")


class RevisionContentOut(RevisionOut):
    """A revision with its content."""

    assessment_id: str
    content: dict[str, Any]


@router.get("/assessments/{assessment_id}/revisions/{number}", response_model=RevisionContentOut)
def get_revision(
    assessment_id: str,
    number: Annotated[int, Path(ge=1, le=MAX_REVISION)],
    user: TokenUser,
    workspace: WorkspaceDep,
    response: Response,
) -> RevisionContentOut:
    """The content of one revision (ETag: its number); the read is audited."""
    revision = workspace.revisions(user, assessment_id, number)[0]
    response.headers["ETag"] = f'"{revision.number}"'
    return RevisionContentOut(
        **RevisionOut.of(revision).model_dump(), assessment_id=assessment_id, content=revision.content
    )


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses={
        **CONFLICTS,
        415: {"model": ErrorOut, "description": "not application/merge-patch+json (code unsupported-media-type)"},
        428: {"model": ErrorOut, "description": "no If-Match (code precondition-required)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/merge-patch+json": {
                    "schema": {"type": "object", "description": "JSON Merge Patch of the content (RFC 7386)"}
                }
            },
        }
    },
)
async def patch_assessment(
    assessment_id: str,
    request: Request,
    user: TokenUser,
    workspace: WorkspaceDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> AssessmentOut:
    """Change part of a draft: a JSON Merge Patch of its content on top of the If-Match revision, saved as a PUT."""
    await run_in_threadpool(workspace.get, user, assessment_id)  # another agency's assessment: 404 before all else
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in PATCH_TYPES:
        raise SpjError(
            Problem(
                Code.UNSUPPORTED_MEDIA_TYPE,
                "send the patch as application/merge-patch+json (RFC 7386)",
                Location(path=("header", "Content-Type")),
            )
        )
    base = _if_match(if_match)
    if base is None:
        raise SpjError(
            Problem(
                Code.PRECONDITION_REQUIRED,
                'name the revision you patch: If-Match: "N" (the ETag you read)',
                Location(path=("header", "If-Match")),
            )
        )
    try:
        patch = json.loads(await request.body())
    except (ValueError, UnicodeError) as exc:
        raise InvalidRequestError("the body is not valid JSON", "body") from exc
    if not isinstance(patch, dict):
        raise InvalidRequestError("a merge patch of an assessment is a JSON object", "body")
    return await run_in_threadpool(_patch, workspace, user, assessment_id, base, patch, response)


def _patch(
    workspace: Workspace, user: User, assessment_id: str, base: int, patch: dict[str, Any], response: Response
) -> AssessmentOut:
    """Apply the patch to the head's content and save it as a PUT would; 412 when `base` is not the head (the
    save refuses it, and audits the head's content it echoes back)."""
    head = workspace.get(user, assessment_id)
    try:
        view = workspace.save(user, assessment_id, base, merge_patch(head.content, patch))
    except SaveConflictError as exc:
        raise _precondition(exc) from exc
    return _assessment(response, AssessmentOut.of_view(view))
