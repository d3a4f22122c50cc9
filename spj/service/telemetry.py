"""What the workspace reports to an operator's metrics: how many evaluations it computed and saves it made.

The service knows nothing of Prometheus: it calls a `Telemetry` (by default one that does nothing);
the HTTP layer (`spj.api.metrics`) puts one that counts. Never a case id, a user or content: counts only.
"""

from __future__ import annotations

from typing import Literal, Protocol

SaveKind = Literal["draft", "final"]


class Telemetry(Protocol):
    """Receives counts of what the workspace did."""

    def evaluated(self) -> None:
        """One evaluation computed (not one served from the cache)."""

    def saved(self, kind: SaveKind) -> None:
        """One revision saved: a draft, or a final one."""


class NoTelemetry:
    """Counts nothing (the library and the command line)."""

    def evaluated(self) -> None:
        return None

    def saved(self, kind: SaveKind) -> None:
        return None
