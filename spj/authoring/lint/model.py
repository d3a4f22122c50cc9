"""Lint findings: a stable `LintCode`, a located `LintWarning`, and the `LintReport` of one run.

A warning is not an error: the instrument loads and evaluates; the finding
points at something a methodologist probably did not mean (an indicator no
rule reads, a rule that can never be raised, a text not yet translated). When
they did mean it, the instrument says so in `lint.accept`, with a reason, and
the warning is reported as accepted instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from spj.errors import Finding
from spj.instrument.lint_model import LintCode as LintCode


@dataclass(frozen=True, slots=True)
class LintWarning(Finding):
    """One finding about an instrument, located and coded: printed and serialised as problems are.

    `subject` is the id of what it is about (an indicator, a rule, a language,
    ...): what an accepting `lint.accept` entry names in `at`.
    """

    code: LintCode
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class AcceptedWarning:
    """A warning the instrument accepts as intended, with its reason."""

    warning: LintWarning
    reason: str

    def __str__(self) -> str:
        return f"{self.warning} [accepted: {self.reason}]"

    def to_dict(self) -> dict[str, object]:
        """The warning's JSON form, marked as accepted, with the reason."""
        return {**self.warning.to_dict(), "accepted": True, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class LintReport:
    """What lint found: the open warnings (what `--strict` counts) and the accepted ones, in source order."""

    warnings: tuple[LintWarning, ...] = ()
    accepted: tuple[AcceptedWarning, ...] = ()

    def to_list(self) -> list[dict[str, object]]:
        """Every warning as JSON data, open ones first; each says whether it is accepted and why."""
        return [
            *({**w.to_dict(), "accepted": False, "reason": None} for w in self.warnings),
            *(a.to_dict() for a in self.accepted),
        ]
