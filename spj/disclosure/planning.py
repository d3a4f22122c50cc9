"""The deployment's planning figures (issue 10): each partner's places per week and the caseload per expert.

::

    agencies:
      - {id: mental-health-centre-example, kind: care, capacity: 6}   # places per week
    planning:
      caseload_per_expert: 6

Data only (`spj.disclosure.model`); `planning_problems` checks the ranges, located.
"""

from __future__ import annotations

from collections.abc import Sequence

from spj.disclosure.model import Deployment
from spj.errors import Code, DeploymentError, DisclosureError, Location, Problem, did_you_mean
from spj.files.yamlsource import Document

CAPACITY_RANGE = (0, 10_000)
CASELOAD_RANGE = (1, 500)


def planning_problems(deployment: Deployment, doc: Document) -> list[Problem]:
    """A capacity or a caseload per expert outside its range (`capacity-range`), located in the deployment."""
    problems = []
    low, high = CAPACITY_RANGE
    for n, agency in enumerate(deployment.agencies):
        if agency.capacity is not None and not low <= agency.capacity <= high:
            problems.append(
                doc.problem(
                    Code.CAPACITY_RANGE,
                    f"capacity of {agency.id!r} is {agency.capacity}, outside its range [{low}, {high}]"
                    " (places per week)",
                    ("agencies", n, "capacity"),
                )
            )
    per_expert = deployment.planning.caseload_per_expert if deployment.planning else None
    low, high = CASELOAD_RANGE
    if per_expert is not None and not low <= per_expert <= high:
        problems.append(
            doc.problem(
                Code.CAPACITY_RANGE,
                f"caseload_per_expert is {per_expert}, outside its range [{low}, {high}] (open cases per expert)",
                ("planning", "caseload_per_expert"),
            )
        )
    return problems


def planning_inputs(
    deployment: Deployment | None, *, partners: Sequence[str] = (), caseload: int | None = None
) -> tuple[dict[str, int | None], int | None]:
    """The places per week of each partner (only `partners` when given) and the caseload per expert.

    `caseload`, when given, overrides the deployment's. An unknown partner is `unknown-agency`; a caseload
    outside its range `capacity-range`; neither gives a figure.
    """
    capacity = deployment.capacities() if deployment is not None else {}
    unknown = [p for p in partners if p not in capacity]
    if unknown:
        listed = ", ".join(capacity) or "none: give --deployment"
        raise DisclosureError(
            [
                Problem(
                    Code.UNKNOWN_AGENCY,
                    f"unknown partner {p!r}" + did_you_mean(p, capacity) + f"; the deployment's agencies: {listed}",
                    Location(path=("--partner",)),
                )
                for p in unknown
            ]
        )
    if partners:
        capacity = {p: capacity[p] for p in partners}
    low, high = CASELOAD_RANGE
    if caseload is not None and not low <= caseload <= high:
        raise DeploymentError(
            Problem(
                Code.CAPACITY_RANGE,
                f"caseload per expert {caseload} is outside its range [{low}, {high}]",
                Location(path=("--caseload",)),
            )
        )
    declared = deployment.planning.caseload_per_expert if deployment is not None and deployment.planning else None
    return capacity, caseload if caseload is not None else declared
