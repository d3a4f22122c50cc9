"""The plan page's form ↔ the assessment's `plan:` (DESIGN 4.6): a pure mapping, no I/O.

Form field names (one flat namespace, as HTML forms post them):

- `p.<STEP>.decision`   accept | amend | decline; "" = not decided yet
- `p.<STEP>.start_week`, `p.<STEP>.duration_weeks`   an amended schedule (kept for `amend` only)
- `p.<STEP>.reason`, `p.<STEP>.objective`, `p.<STEP>.addresses` (repeated: indicator ids)
- `p.<STEP>.partner`, `p.<STEP>.contact`   the partner agency that delivers the step, a contact there
- `p.<STEP>.status`, `p.<STEP>.status_reason`   where delivery stands
- `pa.<n>.<key>`   a step the expert adds: id, title, provider, duration_weeks, start_week, requires, after
  (ids separated by commas or spaces), reason, partner, contact, objective, addresses, status,
  status_reason; `pa.<n>.remove` drops it
- `plan.review_date`, `plan.start_date`

`plan_from_form` writes the form over the plan being edited, so what the form
does not show (a decision on a step the instrument no longer proposes, the
`started_on` of a step) survives. Nothing is validated here: a decline
without a reason passes through so that validation names it at its field.
`errors_for_plan` puts each problem at the field where it can be fixed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spj.api.web.forms import FieldErrors, FormData
from spj.api.web.labels import plan_problem_text
from spj.api.web.templating import gettext
from spj.assessment.final_changes import DELIVERY_KEYS
from spj.errors import Code, Problem

STEP_KEYS = (
    "decision",
    "start_week",
    "duration_weeks",
    "reason",
    "partner",
    "contact",
    "objective",
    "addresses",
    "status",
    "status_reason",
)
ADDED_KEYS = ("id", "title", "provider", "duration_weeks", "start_week", "requires", "after", *STEP_KEYS[3:])
# Keys of a decision (or added step) that the form writes; any other key of the stored entry is kept.
_MANAGED = frozenset({*STEP_KEYS, *ADDED_KEYS}) - {"contact"}
NEW_ADDED_ROWS = 1

_STEP_FIELD = re.compile(rf"^p\.([A-Za-z][A-Za-z0-9_]{{0,99}})\.({'|'.join(STEP_KEYS)})$")
_ADDED_FIELD = re.compile(rf"^pa\.(\d{{1,3}})\.({'|'.join(ADDED_KEYS)}|remove)$")
_WHOLE = re.compile(r"\d{1,4}")


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or ()
    return values[0].replace("\r\n", "\n").strip() if values else ""


def _many(values: Sequence[str] | None) -> list[str]:
    return [v.strip() for v in values or () if v.strip()]


def _number(raw: str) -> int | str:
    """Whole weeks as a number; anything else as typed, for validation to name."""
    return int(raw) if _WHOLE.fullmatch(raw) else raw


def _ids(raw: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", raw) if part]


def title_text(title: Any) -> str:
    """An added step's title as the form shows it: a text, or the first language of a `{lang: text}` map."""
    if isinstance(title, Mapping):
        return str(next(iter(title.values()), ""))
    return "" if title is None else str(title)


def plan_from_form(base: Mapping[str, Any], form: FormData) -> dict[str, Any]:
    """The `plan:` that the posted form describes, written over `base` (the plan being edited)."""
    plan: dict[str, Any] = copy.deepcopy(dict(base))
    decisions: dict[str, Any] = dict(plan.get("decisions") or {})
    posted: dict[str, dict[str, Sequence[str]]] = {}
    for name, values in form.items():
        match = _STEP_FIELD.match(name)
        if match:
            posted.setdefault(match.group(1), {})[match.group(2)] = values
    for step_id, fields in posted.items():
        entry = _decision(decisions.get(step_id), fields)
        if entry is None:
            decisions.pop(step_id, None)
        else:
            decisions[step_id] = entry
    plan["decisions"] = decisions
    plan["added"] = _added(plan.get("added") or [], form)
    for key in ("review_date", "start_date"):
        value = _one(form, f"plan.{key}")
        if value:
            plan[key] = value
        else:
            plan.pop(key, None)
    return plan


def _kept(entry: Any) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _MANAGED} if isinstance(entry, dict) else {}


def _step_fields(fields: Mapping[str, Sequence[str]], entry: dict[str, Any]) -> bool:
    """Write the fields every step has into `entry`; whether anything was typed."""

    def one(key: str) -> str:
        values = fields.get(key) or ()
        return values[0].replace("\r\n", "\n").strip() if values else ""

    typed = False
    for key in ("reason", "objective", "status_reason"):
        if value := one(key):
            entry[key] = value
            typed = True
    agency, contact = one("partner"), one("contact")
    if agency or contact:
        entry["partner"] = {k: v for k, v in (("agency", agency), ("contact", contact)) if v}
        typed = True
    if addresses := _many(fields.get("addresses")):
        entry["addresses"] = addresses
        typed = True
    status = one("status")
    if status and status != "proposed":
        entry["status"] = status
        typed = True
    return typed


def _decision(stored: Any, fields: Mapping[str, Sequence[str]]) -> dict[str, Any] | None:
    """One decision from its fields; None when nothing is decided or typed (the step is undecided)."""
    entry = _kept(stored)
    decision = (fields.get("decision") or [""])[0].strip()
    if decision:
        entry["decision"] = decision
    typed = _step_fields(fields, entry)
    if decision == "amend":
        for key in ("start_week", "duration_weeks"):
            raw = (fields.get(key) or [""])[0].strip()
            if raw:
                entry[key] = _number(raw)
    if not decision and not typed:
        return None
    return entry


def _added_rows(form: FormData) -> list[dict[str, Sequence[str]]]:
    """The added-step rows the form keeps, in order: not ticked "remove", not empty."""
    rows: dict[int, dict[str, Sequence[str]]] = {}
    for name, values in form.items():
        match = _ADDED_FIELD.match(name)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = values
    return [fields for _, fields in sorted(rows.items()) if (fields.get("remove") or [""])[0] != "1" and _typed(fields)]


def _typed(fields: Mapping[str, Sequence[str]]) -> bool:
    """Whether a row holds anything but its defaults (the status select starts at "proposed")."""
    return any(
        v.strip() and not (key == "status" and v.strip() == "proposed")
        for key, values in fields.items()
        if key != "remove"
        for v in values
    )


def _added(stored: Iterable[Any], form: FormData) -> list[dict[str, Any]]:
    by_id = {a.get("id"): a for a in stored if isinstance(a, dict)}
    added = []
    for fields in _added_rows(form):
        step_id = (fields.get("id") or [""])[0].strip()
        old = by_id.get(step_id)
        entry = _kept(old)
        if step_id:
            entry["id"] = step_id
        title = (fields.get("title") or [""])[0].strip()
        if title:
            old_title = old.get("title") if isinstance(old, dict) else None
            entry["title"] = old_title if old_title is not None and title_text(old_title) == title else title
        provider = (fields.get("provider") or [""])[0].strip()
        if provider:
            entry["provider"] = provider
        for key in ("duration_weeks", "start_week"):
            raw = (fields.get(key) or [""])[0].strip()
            if raw:
                entry[key] = _number(raw)
        for key in ("requires", "after"):
            ids = _ids((fields.get(key) or [""])[0])
            if ids:
                entry[key] = ids
        _step_fields(fields, entry)
        added.append(entry)
    return added


def renumber_added(form: FormData) -> dict[str, list[str]]:
    """`form` with its added-step rows numbered as `plan_from_form` numbers the steps it keeps.

    Rows ticked "remove" and empty rows are left out, so that a problem at
    `plan.added[n]` is shown on row n when the form is shown again.
    """
    out = {name: list(values) for name, values in form.items() if not _ADDED_FIELD.match(name)}
    for n, fields in enumerate(_added_rows(form)):
        for key, values in fields.items():
            out[f"pa.{n}.{key}"] = list(values)
    return out


def form_from_plan(plan: Mapping[str, Any]) -> dict[str, list[str]]:
    """The form fields that show `plan` (the inverse of `plan_from_form`)."""
    form: dict[str, list[str]] = {}
    for step_id, entry in (plan.get("decisions") or {}).items():
        if isinstance(entry, Mapping):
            for key in ("decision", "start_week", "duration_weeks"):
                _put(form, f"p.{step_id}.{key}", entry.get(key))
            _put_step(form, f"p.{step_id}", entry)
    for n, entry in enumerate(plan.get("added") or ()):
        if isinstance(entry, Mapping):
            prefix = f"pa.{n}"
            for key in ("id", "provider", "duration_weeks", "start_week"):
                _put(form, f"{prefix}.{key}", entry.get(key))
            _put(form, f"{prefix}.title", title_text(entry.get("title")))
            for key in ("requires", "after"):
                _put(form, f"{prefix}.{key}", ", ".join(str(i) for i in entry.get(key) or ()))
            _put_step(form, prefix, entry)
    _put(form, "plan.review_date", plan.get("review_date"))
    _put(form, "plan.start_date", plan.get("start_date"))
    return form


def _put(form: dict[str, list[str]], name: str, value: Any) -> None:
    if value is None or value == "" or value == []:
        return
    form[name] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _put_step(form: dict[str, list[str]], prefix: str, entry: Mapping[str, Any]) -> None:
    """What every agreed step shows: reason, objective, status, indicators addressed, partner and contact."""
    for key in ("reason", "objective", "status", "status_reason", "addresses"):
        _put(form, f"{prefix}.{key}", entry.get(key))
    partner = entry.get("partner")
    if isinstance(partner, Mapping):
        _put(form, f"{prefix}.partner", partner.get("agency"))
        _put(form, f"{prefix}.contact", partner.get("contact"))


def field_for_plan_path(path: Sequence[str | int]) -> str | None:
    """The plan page's field (or fieldset) for a problem at `path`; None when it is not a plan problem.

    >>> field_for_plan_path(("plan", "decisions", "trauma_treatment", "partner", "agency"))
    'p.trauma_treatment.partner'
    >>> field_for_plan_path(("plan", "added", 0, "requires", 1))
    'pa.0.requires'
    >>> field_for_plan_path(("plan",))
    'plan.review_date'
    """
    parts = list(path)
    if not parts or parts[0] != "plan":
        return None
    if len(parts) == 1 or parts[1] == "review_date":
        return "plan.review_date"
    if parts[1] == "start_date":
        return "plan.start_date"
    if parts[1] == "decisions" and len(parts) >= 3:
        prefix = f"p.{parts[2]}"
    elif parts[1] == "added" and len(parts) >= 3 and isinstance(parts[2], int):
        prefix = f"pa.{parts[2]}"
    else:
        return None
    if len(parts) == 3:
        return prefix
    key = str(parts[3])
    if key == "partner":
        return f"{prefix}.contact" if parts[4:5] == ["contact"] else f"{prefix}.partner"
    return f"{prefix}.{key}" if key in (*STEP_KEYS, *ADDED_KEYS) else prefix


def errors_for_plan(
    problems: Iterable[Problem],
    *,
    shown: Iterable[str],
    undecided: Sequence[str] = (),
    lang: str = "en",
    titles: Mapping[str, str] | None = None,
) -> FieldErrors:
    """Problems at the plan page's fields: an undecided step at its decision, a missing reason at its reason.

    `shown` are the proposed steps the page has fields for. Problems elsewhere (a
    decision on a step the page does not show, an unrated indicator when
    finalising) are `general`; the latter are fixed on the assessment page.
    """
    errors = FieldErrors()
    steps = set(shown)
    for problem in problems:
        path = problem.location.path
        if problem.code == Code.UNDECIDED_INTERVENTION:
            continue  # placed below, one per undecided step
        name = field_for_plan_path(path)
        if name is not None and name.startswith("p.") and name.split(".")[1] not in steps:
            name = None
        if problem.code == Code.DECISION_NEEDS_REASON and name is not None:
            if name.endswith(".status"):
                name = name.removesuffix(".status") + ".status_reason"
            elif name.count(".") == 1:  # the decision or added step as a whole
                name += ".reason"
        elif problem.code == Code.MISSING_REVIEW_DATE:
            name = "plan.review_date"
        errors.add(name, plan_problem_text(str(problem.code), problem.message, titles or {}, lang))
    for step_id in undecided:
        errors.add(f"p.{step_id}.decision", gettext(lang, "Decide this step: accept, amend or decline it."))
    return errors


def errors_for_update(problems: Iterable[Problem], step_id: str) -> FieldErrors:
    """A refused status update's problems at the fields of that step's update form (`u.<STEP>.<field>`)."""
    errors = FieldErrors()
    for problem in problems:
        keys = [str(part) for part in problem.location.path if str(part) in DELIVERY_KEYS]
        key = keys[-1] if keys else "status"
        if problem.code == Code.DECISION_NEEDS_REASON:
            key = "status_reason"
        errors.add(f"u.{step_id}.{key}", problem.message)
    return errors
