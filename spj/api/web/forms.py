"""The assessment form ↔ the assessment document: a pure mapping, no I/O.

Form field names (one flat namespace, as HTML forms post them):

- `r.<IND>.<scale>`   a scale code (radio); "" = not rated
- `r.<IND>.omit`      "1" when omitted; `r.<IND>.reason` why
- `r.<IND>.for`, `r.<IND>.against`  evidence; `r.<IND>.sources` source ids (repeated)
- `s.<n>.id|kind|date|description`  the sources editor; `s.<n>.remove` drops a row
- `case.<FIELD>`      a case field
- `formulation`
- `sc.<n>.kind|title|text`  scenarios (a row without text, title or details is dropped)
- `sc.<n>.d.<FIELD>`  a scenario detail; `sc.<n>.management` the interventions that answer it (repeated)
- `bg.<FIELD>`        a background field; `review_triggers` what would bring the review forward
- `j.<ID>.level`, `j.<ID>.rationale`  the expert's judgements

`content_from_form` writes the form over a base document (the revision being
edited), so fields the form does not show (`note`, `language`, …) survive.
`form_from_content` is the inverse, used to fill the form. `field_for_path`
maps a problem's document path (`ratings.SO1.presence`) to the field it
concerns, so errors are shown where the user can fix them.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spj.api.web.conflicts import is_resolution_field
from spj.api.web.labels import plan_problem_text
from spj.api.web.templating import gettext
from spj.instrument.model import CaseField, Indicator, Instrument
from spj.instrument.text import localize

SCENARIO_KINDS = ("repeat", "twist", "escalation", "improvement")
NEW_SOURCE_ROWS = 1
NEW_SCENARIO_ROWS = 1

FormData = Mapping[str, Sequence[str]]
"""Posted form fields: every name maps to its values (checkbox groups repeat a name)."""

_SOURCE_KEY = re.compile(r"^s\.(\d{1,4})\.(id|kind|date|description|remove)$")
_MANAGEMENT_KEY = re.compile(r"^sc\.(\d{1,4})\.management$")
_SCENARIO_KEY = re.compile(r"^sc\.(\d{1,4})\.(kind|title|text|d\.[A-Za-z][A-Za-z0-9_]{0,99})$")


@dataclass
class FieldErrors:
    """Problems keyed by form field (or fieldset) name; `general` for those that belong nowhere."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
        else:
            self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def under(self, prefix: str) -> list[str]:
        """Messages for `prefix` and every field inside it (`r.SO1` covers `r.SO1.presence`)."""
        return [
            m for name, msgs in self.by_field.items() if name == prefix or name.startswith(prefix + ".") for m in msgs
        ]


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or ()
    return values[0].replace("\r\n", "\n").strip() if values else ""


def _many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.get(name) or () if v.strip()]


def _text_or_none(value: str) -> str | None:
    return value or None


def content_from_form(instrument: Instrument, base: Mapping[str, Any], form: FormData) -> dict[str, Any]:
    """The assessment document that the posted form describes, written over `base`.

    Nothing is validated here: invalid input (an unknown code, an omission
    without a reason) passes through so validation can name it at its field.
    """
    content: dict[str, Any] = copy.deepcopy(dict(base))
    content["sources"] = _sources_from_form(form)
    content["ratings"] = _ratings_from_form(instrument, base.get("ratings") or {}, form)
    case = dict(content.get("case") or {})
    case["fields"] = _case_fields_from_form(instrument, dict(case.get("fields") or {}), form)
    content["case"] = case
    formulation = _one(form, "formulation")
    if formulation:
        content["formulation"] = formulation
    else:
        content.pop("formulation", None)
    content["scenarios"] = _scenarios_from_form(instrument, form)
    if instrument.background:
        background = _typed_from_form(instrument.background, "bg", dict(content.get("background") or {}), form)
        _put_or_drop(content, "background", background)
    _put_or_drop(content, "review_triggers", _one(form, "review_triggers"))
    date = _one(form, "date")
    if date:  # the expert sets the assessment's date; left empty, it stays as it was
        content["date"] = date
    judgements: dict[str, Any] = {}
    for judgement in instrument.judgements:
        level = _one(form, f"j.{judgement.id}.level")
        rationale = _one(form, f"j.{judgement.id}.rationale")
        if level or rationale:
            entry: dict[str, Any] = {}
            if level:
                entry["level"] = level
            if rationale:
                entry["rationale"] = rationale
            judgements[judgement.id] = entry
    content["judgements"] = judgements
    return content


def _case_fields_from_form(instrument: Instrument, fields: dict[str, Any], form: FormData) -> dict[str, Any]:
    """The case facts the form gives, over `fields`: a multiple choice is the list of its ticked codes."""
    return _typed_from_form(instrument.case_fields, "case", fields, form)


def _typed_from_form(
    declared: Iterable[CaseField], prefix: str, fields: dict[str, Any], form: FormData
) -> dict[str, Any]:
    """The values of typed fields (`<prefix>.<FIELD>`) over `fields`; a multiple choice is its ticked codes."""
    for typed in declared:
        name = f"{prefix}.{typed.id}"
        raw = _one(form, name)
        if typed.type == "choice" and typed.multiple:
            chosen = _many(form, name)
            if chosen:
                fields[typed.id] = chosen
            else:
                fields.pop(typed.id, None)
        elif not raw:
            fields.pop(typed.id, None)
        elif typed.type == "integer":
            fields[typed.id] = int(raw) if re.fullmatch(r"-?\d{1,12}", raw) else raw
        elif typed.type == "boolean":
            fields[typed.id] = {"true": True, "false": False}.get(raw, raw)
        else:
            fields[typed.id] = raw
    return fields


def _put_or_drop(content: dict[str, Any], key: str, value: Any) -> None:
    if value:
        content[key] = value
    else:
        content.pop(key, None)


def _ratings_from_form(instrument: Instrument, base_ratings: Mapping[str, Any], form: FormData) -> dict[str, Any]:
    ratings: dict[str, Any] = {}
    for indicator in instrument.indicators:
        prefix = f"r.{indicator.id}"
        rating: dict[str, Any] = {}
        kept = base_ratings.get(indicator.id)
        if isinstance(kept, Mapping) and kept.get("note"):
            rating["note"] = kept["note"]
        omitted = _one(form, f"{prefix}.omit") == "1"
        reason = _one(form, f"{prefix}.reason")
        if omitted:
            rating["omitted"] = True
        if reason:
            rating["reason"] = reason
        for scale in indicator.rate:
            code = _one(form, f"{prefix}.{scale}")
            if code:
                rating[scale] = code
        evidence = {
            k: v for k, v in (("for", _one(form, f"{prefix}.for")), ("against", _one(form, f"{prefix}.against"))) if v
        }
        if evidence:
            rating["evidence"] = evidence
        sources = _many(form, f"{prefix}.sources")
        if sources:
            rating["sources"] = sources
        if set(rating) - {"note"} == {"reason"} and not omitted:
            # A reason typed without ticking "omit" is kept (nothing typed is lost), as an omission.
            rating["omitted"] = True
        if set(rating) - {"note"}:
            ratings[indicator.id] = rating
    return ratings


def _rows(form: FormData, pattern: re.Pattern[str]) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for name in form:
        match = pattern.match(name)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = _one(form, name)
    return dict(sorted(rows.items()))


def _sources_from_form(form: FormData) -> list[dict[str, Any]]:
    sources = []
    for row in _rows(form, _SOURCE_KEY).values():
        if row.get("remove") == "1":
            continue
        if not any(row.get(k) for k in ("id", "kind", "date", "description")):
            continue
        source: dict[str, Any] = {"id": row.get("id", ""), "kind": row.get("kind", "")}
        if row.get("date"):
            source["date"] = row["date"]
        if row.get("description"):
            source["description"] = row["description"]
        sources.append(source)
    return sources


def _scenarios_from_form(instrument: Instrument, form: FormData) -> list[dict[str, Any]]:
    scenarios = []
    rows = _rows(form, _SCENARIO_KEY)
    for name in form:  # a row with only interventions ticked is a row too
        match = _MANAGEMENT_KEY.match(name)
        if match:
            rows.setdefault(int(match.group(1)), {})
    for number, row in sorted(rows.items()):
        details = _typed_from_form(instrument.scenario_fields, f"sc.{number}.d", {}, form)
        management = _many(form, f"sc.{number}.management")
        if not row.get("text") and not row.get("title") and not details and not management:
            continue
        scenario: dict[str, Any] = {"kind": row.get("kind") or "repeat", "text": row.get("text", "")}
        if row.get("title"):
            scenario["title"] = row["title"]
        if details:
            scenario["details"] = details
        if management:
            scenario["management"] = management
        scenarios.append(scenario)
    return scenarios


def _form_values(value: Any) -> list[str]:
    """A value as form values: a multiple choice gives one per code."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [value if isinstance(value, str) else _scalar(value)]


def form_from_content(instrument: Instrument, content: Mapping[str, Any]) -> dict[str, list[str]]:
    """The form fields that show `content` (the inverse of `content_from_form`)."""
    form: dict[str, list[str]] = {}

    def put(name: str, value: Any) -> None:
        if value is not None and value != "":
            form[name] = _form_values(value)

    ratings = content.get("ratings") or {}
    for indicator in instrument.indicators:
        rating = ratings.get(indicator.id)
        if isinstance(rating, Mapping):
            _put_rating(put, form, indicator, rating)
    for n, source in enumerate(content.get("sources") or ()):
        for key in ("id", "kind", "date", "description"):
            put(f"s.{n}.{key}", source.get(key))
    fields = (content.get("case") or {}).get("fields") or {}
    for name, value in fields.items():
        put(f"case.{name}", value)
    put("formulation", content.get("formulation"))
    put("date", content.get("date"))
    for n, scenario in enumerate(content.get("scenarios") or ()):
        _put_scenario(put, n, scenario)
    for name, value in (content.get("background") or {}).items():
        put(f"bg.{name}", value)
    put("review_triggers", content.get("review_triggers"))
    for judgement_id, entry in (content.get("judgements") or {}).items():
        if isinstance(entry, Mapping):
            put(f"j.{judgement_id}.level", entry.get("level"))
            put(f"j.{judgement_id}.rationale", entry.get("rationale"))
    return form


def _put_scenario(put: Callable[[str, Any], None], n: int, scenario: Mapping[str, Any]) -> None:
    """The fields of one scenario: kind, title, text, its details and the interventions that answer it."""
    for key in ("kind", "title", "text"):
        put(f"sc.{n}.{key}", scenario.get(key))
    for name, value in (scenario.get("details") or {}).items():
        put(f"sc.{n}.d.{name}", value)
    put(f"sc.{n}.management", list(scenario.get("management") or ()) or None)


def _put_rating(
    put: Callable[[str, Any], None], form: dict[str, list[str]], indicator: Indicator, rating: Mapping[str, Any]
) -> None:
    """The fields of one rating: omission and reason, a level per scale, evidence, sources."""
    prefix = f"r.{indicator.id}"
    if rating.get("omitted"):
        put(f"{prefix}.omit", "1")
    put(f"{prefix}.reason", rating.get("reason"))
    for scale in indicator.rate:
        put(f"{prefix}.{scale}", rating.get(scale))
    evidence = rating.get("evidence") or {}
    put(f"{prefix}.for", evidence.get("for"))
    put(f"{prefix}.against", evidence.get("against"))
    sources = [str(s) for s in rating.get("sources") or ()]
    if sources:
        form[f"{prefix}.sources"] = sources


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_for_path(path: Sequence[str | int] | str) -> str | None:
    """The form field (or fieldset) a problem at `path` concerns; None when the form has no place for it.

    >>> field_for_path(("ratings", "SO1", "presence"))
    'r.SO1.presence'
    >>> field_for_path("judgements.case_priority.level")
    'j.case_priority.level'
    >>> field_for_path("sources[0].date")
    's.0.date'
    """
    parts = _split_path(path) if isinstance(path, str) else list(path)
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head == "ratings" and rest:
        indicator = str(rest[0])
        tail = rest[1:]
        if not tail:
            return f"r.{indicator}"
        if tail[0] == "evidence" and len(tail) > 1:
            return f"r.{indicator}.{tail[1]}"
        if tail[0] in ("omitted", "reason", "sources", "evidence"):
            return f"r.{indicator}." + {"omitted": "omit", "evidence": "for"}.get(str(tail[0]), str(tail[0]))
        return f"r.{indicator}.{tail[0]}"
    if head == "judgements" and rest:
        tail = rest[1:]
        return f"j.{rest[0]}.{tail[0]}" if tail else f"j.{rest[0]}"
    if head == "scenarios" and len(rest) >= 3 and rest[1] == "details":
        return f"sc.{rest[0]}.d.{rest[2]}"
    if head == "background" and rest:
        return f"bg.{rest[0]}"
    if head in ("sources", "scenarios") and rest and isinstance(rest[0], int):
        prefix = "s" if head == "sources" else "sc"
        return f"{prefix}.{rest[0]}.{rest[1]}" if len(rest) > 1 else f"{prefix}.{rest[0]}"
    if head == "case" and len(rest) >= 2 and rest[0] == "fields":
        return f"case.{rest[1]}"
    if head in ("formulation", "date", "review_triggers"):
        return head
    return None


def _split_path(dotted: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return parts


def errors_for_problems(problems: Iterable[Any]) -> FieldErrors:
    """Problems (`spj.Problem` or their `to_dict()` form) grouped by the field they concern."""
    errors = FieldErrors()
    for problem in problems:
        if isinstance(problem, Mapping):
            path: Sequence[str | int] | str = problem.get("path") or ""
            message = str(problem.get("message", ""))
        else:
            path, message = problem.location.path, problem.message
        errors.add(field_for_path(path), message)
    return errors


def flatten(content: Mapping[str, Any], instrument: Instrument) -> dict[str, str]:
    """The document as `field name → text`, for showing two versions side by side."""
    return {name: ", ".join(values) for name, values in form_from_content(instrument, content).items()}


_NOT_CONTENT = ("csrf_token", "base_revision", "action")


def content_fields(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The posted fields that are assessment content (not the token, the revision, the button or a conflict choice)."""
    return {k: list(v) for k, v in form.items() if k not in _NOT_CONTENT and not is_resolution_field(k)}


def merge_fields(
    base: Mapping[str, Sequence[str]], mine: Mapping[str, Sequence[str]], head: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[str]], list[str]]:
    """Three-way merge of form fields: my changes (base → mine) applied on top of `head`.

    Returns the merged fields and the names both sides changed differently
    (there, mine wins: the user chose to re-apply their version).
    """
    merged = {name: list(values) for name, values in head.items()}
    both: list[str] = []
    for name in dict.fromkeys([*base, *mine]):
        was, now = list(base.get(name) or ()), list(mine.get(name) or ())
        if was == now:
            continue
        theirs = list(head.get(name) or ())
        if theirs not in (was, now):
            both.append(name)
        if now:
            merged[name] = now
        else:
            merged.pop(name, None)
    return merged, both


def finalise_errors(
    instrument: Instrument, content: Mapping[str, Any], problems: Iterable[Any], *, lang: str = "en"
) -> FieldErrors:
    """Why finalising was refused, each reason at its field where the form has one.

    The engine reports an unrated indicator or a missing judgement at the list
    (`ratings`, `judgements`); here each goes to its own fieldset.
    """
    errors = FieldErrors()
    ratings = content.get("ratings") or {}
    judgements = content.get("judgements") or {}
    located: list[Any] = []
    for problem in problems:
        path = (
            tuple(problem.location.path)
            if not isinstance(problem, Mapping)
            else tuple(_split_path(str(problem.get("path") or "")))
        )
        if path in (("ratings",), ("judgements",)):
            continue
        located.append(problem)
    for indicator in instrument.indicators:
        if indicator.id not in ratings:
            errors.add(f"r.{indicator.id}", gettext(lang, "Rate this indicator, or omit it with a reason."))
    for judgement in instrument.judgements:
        if judgement.id not in judgements:
            errors.add(f"j.{judgement.id}.level", gettext(lang, "Choose a level: this judgement is yours to make."))
            if judgement.rationale_required:
                errors.add(f"j.{judgement.id}.rationale", gettext(lang, "Write the rationale for your judgement."))
    titles = {i.id: localize(i.title, lang, instrument) for i in instrument.interventions}
    located = [_plain_plan_problem(p, titles, lang) for p in located]
    located_errors = errors_for_problems(located)
    for name, messages in located_errors.by_field.items():
        for message in messages:
            errors.add(name, message)
    errors.general.extend(located_errors.general)
    return errors


def _plain_plan_problem(problem: Any, titles: Mapping[str, str], lang: str) -> Any:
    """A problem of the plan with its message in plain words (the steps by title); others as they are."""
    if isinstance(problem, Mapping) or tuple(problem.location.path[:1]) != ("plan",):
        return problem
    text = plan_problem_text(str(problem.code), problem.message, titles, lang)
    return dataclasses.replace(problem, message=text)
