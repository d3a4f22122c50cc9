"""Every documented route, with requests generated from `/openapi.json` (issue 13, point 8).

Schemathesis builds requests from the app's own OpenAPI document, valid and
not, for every operation, and sends them to the ASGI app with a real API
token. No response is a 5xx, and every response matches what the document
says of it (status code, content type, body schema). Bounded: a few examples
per operation, no shrinking, so the run stays well under two minutes.
Synthetic data only.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # schemathesis' own imports may warn; the run itself keeps `error`
    import schemathesis
    from hypothesis import HealthCheck, Phase, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

from spj.api import create_app
from spj.service import InstrumentRegistry
from spj.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT_ID, VERSION = "extremism-risk-formulation", "2.0.0"
EXAMPLES = 25


def _app() -> tuple[Any, dict[str, str]]:
    registry = InstrumentRegistry.from_folders([ROOT / "instruments"])
    app = create_app(
        MemoryStore(),
        instruments=registry,
        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        web=False,
    )
    workspace = app.state.workspace
    workspace.store.create_agency("agency-a", "A (synthetic)")
    user = workspace.create_user(
        username="reviewer", password="correct horse battery", role="reviewer", agency_id="agency-a"
    )
    draft = workspace.create(user, "CASE-1", INSTRUMENT_ID, VERSION)  # so that some generated ids exist
    workspace.save(user, draft.id, 1, draft.content)
    _, token = workspace.create_token(user)
    return app, {"Authorization": f"Bearer {token}"}


APP, HEADERS = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Valid requests and invalid ones (wrong types, missing fields, NUL in strings): all must be answered as documented.
schema.config.generation.update(modes=list(schemathesis.GenerationMode), allow_x00=True)
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_route_answers_as_documented(case: Any) -> None:
    case.call_and_validate(headers=HEADERS, checks=CHECKS)
