"""Case endpoints (`/api/v1/cases`): a case with the case system's own reference (`external_ref`) and metadata.

Thin over `spj.service.cases`. The case id is a pseudonym (`CASE_ID_PATTERN`, stated in the OpenAPI
document); spj makes one when none is given. `PATCH` is a JSON Merge Patch over `external_ref` and `metadata`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from spj.api.deps import TokenUser, WorkspaceDep
from spj.api.idempotency import IdempotentRoute
from spj.api.json_api import ERRORS
from spj.api.models import CaseOut, ErrorOut
from spj.service import cases
from spj.service.cases import CASE_ID_PATTERN

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["cases"], route_class=IdempotentRoute)
CaseId = Annotated[str, Path(pattern=CASE_ID_PATTERN, max_length=100, description="the case's pseudonym")]
ExternalRef = Annotated[str, Field(min_length=1, max_length=200, examples=["CMS/2026/7"])]
Metadata = dict[Annotated[str, Field(min_length=1, max_length=100)], str | int | float | bool]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "the id or the external_ref is taken in your agency (conflict)"}
}


class CaseIn(BaseModel):
    """A new case: its pseudonym (made by spj when left out), the case system's reference, metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"external_ref": "CMS/2026/7", "metadata": {"team": "north"}}]},
    )

    id: str | None = Field(None, pattern=CASE_ID_PATTERN, max_length=100, description="the case's pseudonym")
    external_ref: ExternalRef | None = Field(None, description="what the case system calls it; unique in your agency")
    metadata: Metadata = Field(default_factory=dict, max_length=50)


class CasePatch(BaseModel):
    """A JSON Merge Patch (RFC 7386) of a case: null removes `external_ref` or a metadata key."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"metadata": {"team": None}}]})

    external_ref: ExternalRef | None = None
    metadata: dict[str, str | int | float | bool | None] | None = None


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    user: TokenUser,
    workspace: WorkspaceDep,
    external_ref: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> list[CaseOut]:
    """Your agency's cases, oldest first; with `external_ref`, the one the case system calls that (or none)."""
    return [CaseOut.of(c) for c in cases.list_cases(workspace.store, user, external_ref=external_ref)]


@router.post("/cases", status_code=201, response_model=CaseOut, responses=CONFLICT)
def create_case(body: CaseIn, user: TokenUser, workspace: WorkspaceDep, response: Response) -> CaseOut:
    """A new case of your agency, with the case system's reference and metadata."""
    case = cases.create_case(
        workspace.store, user, case_id=body.id, external_ref=body.external_ref, metadata=body.metadata
    )
    response.headers["Location"] = f"{router.prefix}/cases/{case.id}"
    return CaseOut.of(case)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: CaseId, user: TokenUser, workspace: WorkspaceDep) -> CaseOut:
    """One case of your agency."""
    return CaseOut.of(cases.get_case(workspace.store, user, case_id))


@router.patch(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=CONFLICT,
    openapi_extra={
        "requestBody": {
            "content": {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/CasePatch"}}}
        }
    },
)
def patch_case(
    case_id: CaseId,
    body: Annotated[CasePatch, Body()],
    user: TokenUser,
    workspace: WorkspaceDep,
) -> CaseOut:
    """Change the case's external_ref or metadata (JSON Merge Patch: null removes)."""
    patch: dict[str, Any] = body.model_dump(exclude_unset=True)
    return CaseOut.of(cases.patch_case(workspace.store, user, case_id, patch))
