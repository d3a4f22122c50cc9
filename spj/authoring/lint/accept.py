"""Warnings the instrument accepts (`lint.accept`): matched by code and subject, kept apart with their reason.

A warning's subject is the id of what it is about. A check may name it (a
missing translation is about a language); otherwise it is read from the
warning's document path: `indicators[13].id` is about indicator 13's id,
`rules[2].when` about rule 2, `scales.confidence` about that scale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from spj.authoring.lint.model import AcceptedWarning, LintReport, LintWarning
from spj.files.yamlsource import PathT
from spj.instrument.lint_model import acceptances
from spj.instrument.model import Instrument

_ITEM_LISTS = frozenset({"indicators", "rules", "interventions", "judgements", "domains", "case_fields"})


def subject_of(path: PathT, instrument: Instrument) -> str | None:
    """The id of the instrument part `path` points into, or None (the instrument itself).

    >>> subject_of(("scales", "relevance"), instrument)  # doctest: +SKIP
    'relevance'
    """
    if len(path) < 2:
        return None
    section, key = path[0], path[1]
    if section == "scales" and isinstance(key, str):
        return key
    if section in _ITEM_LISTS and isinstance(key, int):
        items = getattr(instrument, str(section))
        return str(items[key].id) if 0 <= key < len(items) else None
    return None


def with_subject(warning: LintWarning, instrument: Instrument) -> LintWarning:
    """The warning with its subject filled in from its path, when its check did not name one."""
    if warning.subject is not None:
        return warning
    return dataclasses.replace(warning, subject=subject_of(warning.location.path, instrument))


def sort_out(warnings: Iterable[LintWarning], instrument: Instrument) -> LintReport:
    """Open and accepted warnings, each list in the order given."""
    reasons = {(a.code, a.at): a.reason for a in acceptances(instrument.lint)}
    open_: list[LintWarning] = []
    accepted: list[AcceptedWarning] = []
    for warning in warnings:
        warning = with_subject(warning, instrument)
        reason = reasons.get((warning.code, warning.subject or ""))
        if reason is None:
            open_.append(warning)
        else:
            accepted.append(AcceptedWarning(warning, reason))
    return LintReport(tuple(open_), tuple(accepted))
