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


def is_section(name: str) -> bool:
    """Whether `name` is a section of DESIGN 4.7."""
    return name in PLAIN_SECTIONS or _BY_DOMAIN.match(name) is not None


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
        """'all', 'own' or None: which steps of the agreed plan."""
        if self.everything or "plan.all" in self.sections:
            return "all"
        return "own" if "plan.own" in self.sections else None

    def listed(self) -> list[str]:
        """The sections granted, in the order of DESIGN 4.7 (for the log and the extract's heading)."""
        if self.everything:
            return ["everything"]
        return sorted(self.sections, key=lambda s: (_rank(s), s))


def _rank(section: str) -> int:
    head = section if section in PLAIN_SECTIONS else section.split(".")[0]
    return PLAIN_SECTIONS.index(head)
