"""Fixtures for the workspace tests: the shipped instruments, a MemoryStore workspace, two agencies.

Everything is synthetic: invented agencies, accounts and cases.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

from spj.assessment import assessment_from_data
from spj.errors import SpjError
from spj.evaluation.evaluate import evaluate
from spj.files.yamlsource import parse_yaml, read_text
from spj.instrument import Instrument
from spj.service import AssessmentView, InstrumentRegistry, Workspace
from spj.store import MemoryStore, User

with warnings.catch_warnings():
    # starlette asks for `httpx2` (not a dependency of spj); `httpx` works the same for the test client.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient as TestClient

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT_ID, VERSION = "extremism-risk-formulation", "2.0.0"
EXAMPLE = ROOT / "instruments" / INSTRUMENT_ID / "examples" / "case-0201.assessment.yaml"
# Cheap argon2 parameters: the tests create many accounts.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


@dataclass
class People:
    alice: User  # assessor, agency A
    rita: User  # reviewer, agency A
    adam: User  # administrator, agency A
    bob: User  # assessor, agency B


@pytest.fixture(scope="session")
def registry() -> InstrumentRegistry:
    return InstrumentRegistry.from_folders([ROOT / "instruments"])


@pytest.fixture(scope="session")
def example() -> dict[str, Any]:
    data: dict[str, Any] = parse_yaml(read_text(EXAMPLE, error=SpjError), error=SpjError).data
    return data


@pytest.fixture
def workspace(registry: InstrumentRegistry) -> Workspace:
    return Workspace(MemoryStore(), registry, hasher=FAST_HASHER)


@pytest.fixture
def people(workspace: Workspace) -> People:
    workspace.store.create_agency("agency-a", "House of Justice A")
    workspace.store.create_agency("agency-b", "House of Justice B")

    def user(name: str, role: Any, agency: str) -> User:
        return workspace.create_user(username=name, password=PASSWORD, role=role, agency_id=agency)

    return People(
        alice=user("alice", "assessor", "agency-a"),
        rita=user("rita", "reviewer", "agency-a"),
        adam=user("adam", "administrator", "agency-a"),
        bob=user("bob", "assessor", "agency-b"),
    )


def completed(view: AssessmentView, example: dict[str, Any]) -> dict[str, Any]:
    """The view's content with the example's ratings, sources, case fields and judgements, and every proposed
    step of the plan accepted: ready to finalise."""
    content = copy.deepcopy(view.content)
    for key in ("sources", "ratings", "formulation", "scenarios", "judgements"):
        content[key] = copy.deepcopy(example[key])
    content["case"]["fields"] = dict(example["case"]["fields"])
    content["plan"] = agreed_plan(view.instrument, content)
    return content


def agreed_plan(instrument: Instrument, content: dict[str, Any], review_date: str = "2027-06-30") -> dict[str, Any]:
    """A plan that accepts every step the engine proposes for `content`, with a review date."""
    proposal = evaluate(instrument, assessment_from_data({**content, "status": "draft"}, instrument)).plan
    decisions = {step.id: {"decision": "accept"} for step in proposal.ordered_steps}
    return {"review_date": review_date, "decisions": decisions, "added": []}


def partial(view: AssessmentView, example: dict[str, Any]) -> dict[str, Any]:
    """Two ratings and their sources, nothing else: a valid draft that cannot be finalised."""
    content = copy.deepcopy(view.content)
    content["sources"] = copy.deepcopy(example["sources"])
    content["ratings"] = {k: copy.deepcopy(example["ratings"][k]) for k in ("EN1", "EN2")}
    return content
