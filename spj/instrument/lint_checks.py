"""Load-time checks of an instrument's `lint:` section.

The schema already refuses an unknown code and a missing or empty reason.
Here, for `accept` entries and `allow` ids alike: `at` names something of the kind the code is about (an indicator for
`unused-indicator`, a language for `missing-translation`, ...), the reason says
something, and no warning is accepted twice, and `allow` has its `reason`.
"""

from __future__ import annotations

from collections.abc import Iterator

from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document, PathT
from spj.instrument.lint_model import SUBJECTS, LintAcceptance
from spj.instrument.model import Instrument

_WHAT = {
    "indicators": ("an", "indicator"),
    "interventions": ("an", "intervention"),
    "rules": ("a", "rule"),
    "judgements": ("a", "judgement"),
    "scales": ("a", "scale"),
    "languages": ("a", "language"),
    "version": ("a", "version"),
}


def subjects(instrument: Instrument, section: str) -> list[str]:
    """The ids of one part of the instrument that an accepted warning may name."""
    if section == "scales":
        return list(instrument.scales)
    if section == "languages":
        return list(instrument.languages)
    if section == "version":
        return [instrument.version]
    return [item.id for item in getattr(instrument, section)]


def _entries(instrument: Instrument) -> Iterator[tuple[LintAcceptance, PathT, str]]:
    """Each accepted warning with the path of its `at` and how to name its entry in a message."""
    for n, accepted in enumerate(instrument.lint.accept):
        yield accepted, ("lint", "accept", n, "at"), f"lint.accept[{n}]"
    reason = instrument.lint.reason or ""
    for n, entry in enumerate(instrument.lint.allow):
        for code, ids in entry.items():
            for k, at in enumerate(ids):
                yield (
                    LintAcceptance.model_construct(code=code, at=at, reason=reason),
                    ("lint", "allow", n, code.value, k),
                    (f"lint.allow[{n}]"),
                )


def check_lint_settings(instrument: Instrument, doc: Document) -> list[Problem]:
    """Every problem of `instrument.lint`, located in `doc`."""
    settings = instrument.lint
    problems: list[Problem] = []
    if settings.allow and settings.reason is None:
        problems.append(
            doc.problem(
                Code.SCHEMA, "lint.allow needs a reason: add reason: and say why these warnings are intended", ("lint",)
            )
        )
    elif settings.reason is not None and not settings.reason.strip():
        problems.append(
            doc.problem(Code.SCHEMA, "the reason is blank: say why these warnings are intended", ("lint", "reason"))
        )
    seen: dict[tuple[str, str], str] = {}
    for accepted, path, label in _entries(instrument):
        problems += _check_subject(instrument, accepted, path, doc)
        if path[1] == "accept" and not accepted.reason.strip():
            problems.append(
                doc.problem(
                    Code.SCHEMA, "the reason is blank: say why this warning is intended", (*path[:-1], "reason")
                )
            )
        key = (accepted.code.value, accepted.at)
        if key in seen:
            problems.append(
                doc.problem(
                    Code.DUPLICATE_ID,
                    f"{accepted.code.value} at {accepted.at!r} is already accepted in {seen[key]}; keep one of them",
                    path,
                )
            )
        seen.setdefault(key, label)
    return problems


def _check_subject(instrument: Instrument, accepted: LintAcceptance, path: PathT, doc: Document) -> list[Problem]:
    sections = SUBJECTS[accepted.code]
    candidates = [ident for section in sections for ident in subjects(instrument, section)]
    if accepted.at in candidates:
        return []
    kinds = " or ".join(" ".join(_WHAT[section]) for section in sections)
    names = " or ".join(_WHAT[section][1] for section in sections)
    return [
        doc.problem(
            Code.UNRESOLVED_REFERENCE,
            f"there is no {names} {accepted.at!r} (an accepted {accepted.code.value} warning names {kinds})"
            + did_you_mean(accepted.at, candidates),
            path,
        )
    ]
