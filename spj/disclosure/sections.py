"""The sections of a case an extract may contain (DESIGN 4.7), and what a profile grants."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sections without a life area; `ratings` and `evidence` may also be narrowed to one (`ratings.wellbeing`).
PLAIN_SECTIONS = (
    "case",
    "sources",
    "ratings",
    "evidence",
    "flags",
    "formulation",
    "scenarios",
    "judgements",
    "plan.all",
    "plan.own",
)
_BY_DOMAIN = re.compile(r"^(ratings|evidence)\.([A-Za-z0-9_-]+)$")
TRACK_SECTIONS = ("plan.track.social-preventive", "plan.track.security")
"""The steps of the agreed plan in one follow-up track (an intervention's `track`)."""


def is_section(name: str) -> bool:
    """Whether `name` is a section of DESIGN 4.7 (or one of its extensions, `plan.track.TRACK`)."""
    return name in PLAIN_SECTIONS or name in TRACK_SECTIONS or _BY_DOMAIN.match(name) is not None


@dataclass(frozen=True)
class Grant:
    """What one agency may see of one assessment: everything (its own) or the listed sections."""

    everything: bool
    sections: frozenset[str]

    def sees(self, section: str) -> bool:
        return self.everything or section in self.sections

    def sees_domain(self, kind: str, domain: str) -> bool:
        """`kind` is ratings or evidence: the whole of it, or this life area."""
        return self.everything or kind in self.sections or f"{kind}.{domain}" in self.sections

    @property
    def plan(self) -> str | None:
        """'all', 'track', 'own' or None: which steps of the agreed plan.

        'track': the steps of the granted tracks (`tracks`), and the agency's own steps when `plan.own` is granted too.
        """
        if self.everything or "plan.all" in self.sections:
            return "all"
        if self.tracks:
            return "track"
        return "own" if "plan.own" in self.sections else None

    @property
    def tracks(self) -> frozenset[str]:
        """The follow-up tracks whose steps of the agreed plan are granted (`plan.track.TRACK`)."""
        return frozenset(s.removeprefix("plan.track.") for s in self.sections if s in TRACK_SECTIONS)

    def listed(self) -> list[str]:
        """The sections granted, in the order of DESIGN 4.7 (for the log and the extract's heading)."""
        if self.everything:
            return ["everything"]
        return sorted(self.sections, key=lambda s: (_rank(s), s))


def _rank(section: str) -> int:
    if section in TRACK_SECTIONS:
        return PLAIN_SECTIONS.index("plan.own")
    head = section if section in PLAIN_SECTIONS else section.split(".")[0]
    return PLAIN_SECTIONS.index(head)
