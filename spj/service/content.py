"""Assessment content as the store keeps it: JSON data in the `spj-assessment/2` format (DESIGN 4.6).

Pure functions: a blank draft for an instrument, the carry-over of a
reassessment or an amendment, the identity fields the service owns, and
validation into located problems. No store, no HTTP.

New assessments start as version 2, with an empty agreed plan. A revision
saved before version 2 (`spj-assessment/1`) keeps loading as it is; the
service writes every save as version 2 (`with_identity`), so an older
assessment is upgraded on its next save and its history is left untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from spj.assessment import Assessment, assessment_from_data
from spj.disclosure import Deployment
from spj.errors import AssessmentError, Code, Location, Problem, did_you_mean
from spj.evaluation.results import AgreedPlan
from spj.instrument import Instrument
from spj.store.interface import AssessmentRecord, User

FORMAT = "spj-assessment/2"
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # matched whole: `fullmatch` (no final newline)


def check_identifier(value: str, field: str) -> str:
    """`value` if it is a usable case or assessment id (a pseudonym: letters, digits, '.', '_', '-')."""
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise AssessmentError(
            Problem(
                Code.INVALID_REQUEST,
                f"{field} must be 1-100 letters, digits, '.', '_' or '-' (a pseudonym, never a name)",
                Location(path=(field,)),
            )
        )
    return value


def blank_content(
    instrument: Instrument, *, assessment_id: str, case_id: str, user: User, today: dt.date | None = None
) -> dict[str, Any]:
    """A draft with nothing rated yet: the form starts from this."""
    return {
        "format": FORMAT,
        "instrument": {"id": instrument.id, "version": instrument.version, "sha256": instrument.sha256},
        "id": assessment_id,
        "case": {"id": case_id, "fields": {}},
        "assessor": {"id": user.id, "agency": user.agency_id, "name": user.display_name},
        "date": (today or dt.date.today()).isoformat(),
        "status": "draft",
        "sources": [],
        "ratings": {},
        "formulation": "",
        "scenarios": [],
        "judgements": {},
        "plan": {"decisions": {}, "added": []},
    }


def carried_over(
    previous: dict[str, Any],
    instrument: Instrument,
    *,
    assessment_id: str,
    user: User,
    previous_id: str | None = None,
    amends_id: str | None = None,
    keep_judgements: bool = False,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """A new draft from an earlier assessment's content, for the expert to review.

    Sources, ratings with their evidence, case fields, formulation,
    scenarios and the plan's decisions and statuses are carried over.
    Judgements and the plan's review date are carried over only for an
    amendment (`keep_judgements`): a reassessment makes them anew.
    """
    case = _mapping(previous.get("case"))
    content = blank_content(
        instrument, assessment_id=assessment_id, case_id=str(case.get("id", "")), user=user, today=today
    )
    content["case"]["fields"] = copy.deepcopy(case.get("fields") or {})
    for key in ("sources", "ratings", "formulation", "scenarios", "language"):
        if key in previous:
            content[key] = copy.deepcopy(previous[key])
    plan = _mapping(previous.get("plan"))
    if plan:
        content["plan"] = copy.deepcopy(plan)
    if keep_judgements:
        content["judgements"] = copy.deepcopy(previous.get("judgements") or {})
    else:
        content["plan"].pop("review_date", None)  # the new plan is reviewed on a date of its own
        content["plan"].pop("start_date", None)  # and its weeks count from the reassessment
    if previous_id is not None:
        content["previous"] = previous_id
    if amends_id is not None:
        content["amends"] = amends_id
    return content


def as_json_data(content: Any) -> dict[str, Any]:
    """`content` as plain JSON data (a dict), or `AssessmentError` (INVALID_REQUEST)."""
    if not isinstance(content, dict):
        raise AssessmentError(Problem(Code.INVALID_REQUEST, "the content must be a JSON object (an assessment)"))
    try:
        data: dict[str, Any] = json.loads(json.dumps(content, ensure_ascii=False, allow_nan=False, default=_date))
    except (TypeError, ValueError, RecursionError):
        raise AssessmentError(Problem(Code.INVALID_REQUEST, "the content is not plain JSON data")) from None
    problems = list(_unstorable_text(data))
    if problems:
        raise AssessmentError(problems)
    return data


def _unstorable_text(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[Problem]:
    """A problem at each string (or key) holding NUL or a lone surrogate: no database stores it, no page prints it.

    The message never quotes the text.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _unstorable(key):
                    yield _text_problem(where, "a key")
                stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, n)) for n, item in enumerate(value))
        elif isinstance(value, str) and _unstorable(value):
            yield _text_problem(where, "the text")


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text_problem(path: tuple[str | int, ...], what: str) -> Problem:
    return Problem(
        Code.INVALID_REQUEST,
        f"{what} holds a NUL character or a lone surrogate, which cannot be stored; remove it",
        Location(path=path),
    )


def _json_type(value: Any) -> str:
    """The JSON name of a value's type (for messages that must not quote the value)."""
    if isinstance(value, bool):
        return "a boolean"
    return {list: "an array", str: "a string", int: "a number", float: "a number"}.get(type(value), "null")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def with_identity(
    content: dict[str, Any], record: AssessmentRecord, instrument: Instrument, status: str
) -> dict[str, Any]:
    """`content` with the fields that identify it filled in: format, id, instrument, case id, status.

    Values the client sent that contradict the record are problems (a client
    must not move an assessment to another case or instrument). Who made it,
    when and what it follows are `spj.service.provenance`'s.
    """
    problems: list[Problem] = []

    def differs(path: tuple[str, ...], given: Any, expected: str) -> None:
        if given is not None and given != expected:
            problems.append(
                Problem(
                    Code.INVALID_REQUEST,
                    f"{'.'.join(path)} is {expected!r} for this assessment; leave it out or send it unchanged",
                    Location(path=path),
                )
            )

    out = dict(content)
    for key in ("instrument", "case"):
        if out.get(key) is not None and not isinstance(out[key], dict):
            problems.append(
                Problem(
                    Code.INVALID_REQUEST, f"{key} must be an object, not {_json_type(out[key])}", Location(path=(key,))
                )
            )
    differs(("id",), out.get("id"), record.id)
    instrument_ref = _mapping(out.get("instrument"))
    differs(("instrument", "id"), instrument_ref.get("id"), record.instrument_id)
    differs(("instrument", "version"), instrument_ref.get("version"), record.instrument_version)
    case = dict(_mapping(out.get("case")))
    differs(("case", "id"), case.get("id"), record.case_id)
    if problems:
        raise AssessmentError(problems)
    case["id"] = record.case_id
    out.update(
        format=FORMAT,
        id=record.id,
        instrument={"id": instrument.id, "version": instrument.version, "sha256": instrument.sha256},
        case=case,
        status=status,
    )
    return out


def validate(content: dict[str, Any], instrument: Instrument) -> Assessment:
    """The validated assessment (as its `status` says: draft or final); `AssessmentError` lists every problem."""
    return assessment_from_data(content, instrument)


def problems_of(content: dict[str, Any], instrument: Instrument) -> tuple[Assessment | None, list[Problem]]:
    """(assessment, []) when `content` is valid, else (None, its problems)."""
    try:
        return validate(content, instrument), []
    except AssessmentError as exc:
        return None, exc.problems


def plan_problems(agreed: AgreedPlan | None) -> list[Problem]:
    """The agreed plan's findings, which refuse finalising (a draft saves with them as warnings, DESIGN 4.6)."""
    if agreed is None:
        return []
    return [Problem(Code(f.code), f.message, Location(path=f.path)) for f in agreed.findings]


def partner_problems(assessment: Assessment, deployment: Deployment | None) -> list[Problem]:
    """Partners the deployment does not list (`unknown-agency`); with no deployment a partner is free text.

    The assessing agency itself may always deliver a step.
    """
    if deployment is None or assessment.plan is None:
        return []
    known = [a.id for a in deployment.agencies]
    own = assessment.assessor.agency
    named = [
        (("plan", "decisions", step_id, "partner", "agency"), decision.partner.agency)
        for step_id, decision in assessment.plan.decisions.items()
        if decision.partner is not None
    ] + [
        (("plan", "added", n, "partner", "agency"), added.partner.agency)
        for n, added in enumerate(assessment.plan.added)
        if added.partner is not None
    ]
    return [
        Problem(
            Code.UNKNOWN_AGENCY,
            f"{agency!r} is not a partner of this deployment" + did_you_mean(agency, known) + "; choose one it lists",
            Location(path=path),
        )
        for path, agency in named
        if agency not in known and agency != own
    ]
