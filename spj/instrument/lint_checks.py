"""Load-time checks of an instrument's `lint:` section.

The schema already refuses an unknown code and a missing or empty reason.
Here: `at` names something of the kind the code is about (an indicator for
`unused-indicator`, a language for `missing-translation`, ...), the reason says
something, and no warning is accepted twice.
"""

from __future__ import annotations

from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document
from spj.instrument.lint_model import SUBJECTS
from spj.instrument.model import Instrument

_WHAT = {
    "indicators": ("an", "indicator"),
    "interventions": ("an", "intervention"),
    "rules": ("a", "rule"),
    "judgements": ("a", "judgement"),
    "scales": ("a", "scale"),
    "languages": ("a", "language"),
}


def subjects(instrument: Instrument, section: str) -> list[str]:
    """The ids of one part of the instrument that an accepted warning may name."""
    if section == "scales":
        return list(instrument.scales)
    if section == "languages":
        return list(instrument.languages)
    return [item.id for item in getattr(instrument, section)]


def check_lint_settings(instrument: Instrument, doc: Document) -> list[Problem]:
    """Every problem of `instrument.lint`, located in `doc`."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for n, accepted in enumerate(instrument.lint.accept):
        base = ("lint", "accept", n)
        sections = SUBJECTS[accepted.code]
        candidates = [ident for section in sections for ident in subjects(instrument, section)]
        if accepted.at not in candidates:
            kinds = " or ".join(" ".join(_WHAT[section]) for section in sections)
            names = " or ".join(_WHAT[section][1] for section in sections)
            problems.append(
                doc.problem(
                    Code.UNRESOLVED_REFERENCE,
                    f"there is no {names} {accepted.at!r} (an accepted {accepted.code.value} warning names {kinds})"
                    + did_you_mean(accepted.at, candidates),
                    (*base, "at"),
                )
            )
        if not accepted.reason.strip():
            problems.append(
                doc.problem(Code.SCHEMA, "the reason is blank: say why this warning is intended", (*base, "reason"))
            )
        key = (accepted.code.value, accepted.at)
        if key in seen:
            problems.append(
                doc.problem(
                    Code.DUPLICATE_ID,
                    f"{accepted.code.value} at {accepted.at!r} is already accepted in lint.accept[{seen[key]}]; "
                    "keep one of them",
                    (*base, "at"),
                )
            )
        seen.setdefault(key, n)
    return problems
