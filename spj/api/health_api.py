"""`/healthz` and `/readyz` for load balancers and orchestrators: no token, no case data."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from spj.store.readiness import readiness

router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    """`ready` when the database answers and its schema is at `head`."""

    model_config = ConfigDict(populate_by_name=True)

    status: Literal["ready", "not-ready"]
    database: Literal["reachable", "unreachable"]
    schema_: str | None = Field(alias="schema", description="the migration the database is at")
    head: str = Field(description="the newest migration")


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The process answers."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "the database is unreachable or its migrations are behind"}},
)
def readyz(request: Request, response: Response) -> ReadyOut:
    """Ready to serve: the database answers and its migrations are at the newest (503 otherwise)."""
    state = readiness(request.app.state.workspace.store)
    if not state.ready:
        response.status_code = 503
    return ReadyOut(
        status="ready" if state.ready else "not-ready",
        database="reachable" if state.reachable else "unreachable",
        schema_=state.schema,
        head=state.head,
    )
