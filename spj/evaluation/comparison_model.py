"""What `compare` produces: the changes between two assessments of one case, as plain values.

Labels are already localized (in the language `compare` was asked for); codes
and ids stay as they are so integrators can match them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

IndicatorState = Literal["rated", "omitted", "unrated"]
FlagStatusOrNone = Literal["raised", "clear", "unknown"]
FlagChangeKind = Literal["raised", "cleared", "unknown", "known"]


@dataclass(frozen=True, slots=True)
class LevelChange:
    """One rated scale of an indicator whose level changed (or appeared / disappeared)."""

    scale: str
    from_code: str | None
    from_label: str
    to_code: str | None
    to_label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "from": {"code": self.from_code, "label": self.from_label},
            "to": {"code": self.to_code, "label": self.to_label},
        }


@dataclass(frozen=True, slots=True)
class EvidenceChange:
    """Evidence text of an indicator that the expert wrote, changed or removed: `part` is `for` or `against`."""

    part: Literal["for", "against"]
    before: str
    after: str

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "from": self.before, "to": self.after}


@dataclass(frozen=True, slots=True)
class IndicatorChange:
    """An indicator whose state (rated / omitted / unrated), a rated level or its evidence text changed."""

    id: str
    title: str
    domain: str
    kind: str
    from_state: IndicatorState
    to_state: IndicatorState
    levels: tuple[LevelChange, ...]
    reason: str = ""  # the omission reason, when it is omitted now
    evidence: tuple[EvidenceChange, ...] = ()  # evidence for / against whose text changed

    @property
    def state_changed(self) -> bool:
        return self.from_state != self.to_state

    def level(self, scale: str) -> LevelChange | None:
        return next((c for c in self.levels if c.scale == scale), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "domain": self.domain,
            "kind": self.kind,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "levels": [c.to_dict() for c in self.levels],
            "reason": self.reason,
            "evidence": [c.to_dict() for c in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class FlagChange:
    """A rule whose status changed; `change` names the transition (see `spj.compare`)."""

    id: str
    title: str
    message: str
    severity: str
    change: FlagChangeKind
    from_status: FlagStatusOrNone
    to_status: FlagStatusOrNone
    missing: tuple[str, ...] = ()  # omitted indicators that keep it unknown now

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "message": self.message,
            "severity": self.severity,
            "change": self.change,
            "from": self.from_status,
            "to": self.to_status,
            "missing": list(self.missing),
        }


@dataclass(frozen=True, slots=True)
class InterventionChange:
    """An intervention added to, dropped from or completed in the plan."""

    id: str
    title: str
    provider: str
    start_week: int | None = None  # in the plan it comes from (previous for dropped/completed)
    end_week: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "provider": self.provider,
            "start_week": self.start_week,
            "end_week": self.end_week,
        }


@dataclass(frozen=True, slots=True)
class JudgementChange:
    """A summary judgement the expert changed; spj only reports it, it never computes one."""

    id: str
    title: str
    from_code: str | None
    from_label: str
    to_code: str | None
    to_label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "from": {"code": self.from_code, "label": self.from_label},
            "to": {"code": self.to_code, "label": self.to_label},
            "by": "expert",
        }


@dataclass(frozen=True)
class Comparison:
    """The changes from one assessment of a case to a later one."""

    instrument_id: str
    case_id: str
    previous_id: str
    current_id: str
    previous_version: str
    current_version: str
    previous_date: dt.date
    current_date: dt.date
    weeks_elapsed: int
    indicators: tuple[IndicatorChange, ...]
    flags: tuple[FlagChange, ...]
    added: tuple[InterventionChange, ...]
    dropped: tuple[InterventionChange, ...]
    completed: tuple[InterventionChange, ...]
    judgements: tuple[JudgementChange, ...]

    @property
    def unchanged(self) -> bool:
        """True when nothing this comparison looks at changed."""
        return not (self.indicators or self.flags or self.added or self.dropped or self.completed or self.judgements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument_id,
            "case": self.case_id,
            "previous": {
                "id": self.previous_id,
                "date": self.previous_date.isoformat(),
                "version": self.previous_version,
            },
            "current": {"id": self.current_id, "date": self.current_date.isoformat(), "version": self.current_version},
            "weeks_elapsed": self.weeks_elapsed,
            "indicators": [c.to_dict() for c in self.indicators],
            "flags": [c.to_dict() for c in self.flags],
            "interventions": {
                "added": [c.to_dict() for c in self.added],
                "dropped": [c.to_dict() for c in self.dropped],
                "completed": [c.to_dict() for c in self.completed],
                "completed_rule": (
                    "in the previous plan, no longer in the plan, and its end_week in the previous "
                    "plan is at most weeks_elapsed (whole weeks between the assessment dates)"
                ),
            },
            "judgements": [c.to_dict() for c in self.judgements],
            "judgements_note": "Summary judgements are the expert's; spj never computes them.",
        }
