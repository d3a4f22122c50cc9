"""Load a deployment file with the same strict, located errors as instruments."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from spj.disclosure.certification import certification_problems
from spj.disclosure.model import Deployment
from spj.disclosure.planning import planning_problems
from spj.disclosure.sections import PLAIN_SECTIONS, TRACK_SECTIONS, is_section
from spj.errors import Code, DeploymentError, Problem, did_you_mean
from spj.files.schema_errors import schema_problems
from spj.files.yamlsource import Document, parse_yaml, read_text


def load_deployment(path: str | Path) -> Deployment:
    """Load and check a deployment file; `DeploymentError` lists every problem, located."""
    return parse_deployment(read_text(path, error=DeploymentError), file=str(path))


def parse_deployment(text: str, *, file: str | None = None) -> Deployment:
    """A deployment from YAML text."""
    return deployment_from_document(parse_yaml(text, file=file, error=DeploymentError))


def deployment_from_document(doc: Document) -> Deployment:
    """Validate a parsed document as a deployment: schema, unique agencies, known kinds and sections."""
    problems: list[Problem] = list(doc.problems)
    if not isinstance(doc.data, dict) or doc.data.get("format") != "spj-deployment/1":
        found = doc.data.get("format") if isinstance(doc.data, dict) else None
        problems.append(
            doc.problem(
                Code.SCHEMA, f"format must be 'spj-deployment/1', not {found!r}; is this a deployment?", ("format",)
            )
        )
        raise DeploymentError(problems)
    try:
        deployment = Deployment.model_validate(doc.data)
    except ValidationError as exc:
        raise DeploymentError([*problems, *schema_problems(exc, doc, Deployment)]) from None
    seen: set[str] = set()
    for n, agency in enumerate(deployment.agencies):
        if agency.id in seen:
            problems.append(doc.problem(Code.DUPLICATE_ID, f"duplicate agency id {agency.id!r}", ("agencies", n, "id")))
        seen.add(agency.id)
    kinds = {a.kind for a in deployment.agencies}
    for kind, profile in deployment.profiles.items():
        if kind not in kinds:
            problems.append(
                doc.problem(
                    Code.UNKNOWN_KIND,
                    f"a profile for kind {kind!r}, which no agency has"
                    + did_you_mean(kind, kinds)
                    + "; give an agency this kind, or remove the profile",
                    ("profiles", kind),
                )
            )
        for k, section in enumerate(profile.sees):
            if not is_section(section):
                problems.append(
                    doc.problem(
                        Code.UNKNOWN_SECTION,
                        f"unknown section {section!r}"
                        + did_you_mean(section, (*PLAIN_SECTIONS, *TRACK_SECTIONS))
                        + f"; sections are {', '.join(PLAIN_SECTIONS)}, {', '.join(TRACK_SECTIONS)},"
                        " ratings.DOMAIN and evidence.DOMAIN",
                        ("profiles", kind, "sees", k),
                    )
                )
    if deployment.certification is not None:
        problems += certification_problems(deployment.certification, doc)
    problems += planning_problems(deployment, doc)
    if problems:
        raise DeploymentError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return deployment
