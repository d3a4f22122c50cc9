"""The sign-off of a report: who assessed and finalised it, who countersigned it, when, and what they wrote.

A workspace knows it (the CLI renders files, which carry none), so it comes in
apart from the assessment document: `render_report(..., signoff=SignOff(...))`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from spj.report.wording import report_wording


@dataclass(frozen=True)
class SignOff:
    """Names are display names, never account ids; `comment` is the countersigner's, as they wrote it."""

    assessor: str
    finalised_at: dt.datetime | None = None
    countersigner: str | None = None
    countersigned_at: dt.datetime | None = None
    comment: str | None = None
    assessor_function: str | None = None
    """The assessor's function (e.g. justice assistant), shown in the report's summary when known."""


def signoff_context(signoff: SignOff | None, *, lang: str, kind: str) -> dict[str, Any]:
    """`signoff` for the report templates (None when the report has no sign-off); dates in the report's language."""
    if signoff is None:
        return {"signoff": None}
    wording = report_wording(lang, "md" if kind == "md" else "html")
    return {
        "signoff": {
            "assessor": signoff.assessor,
            "finalised": wording.date(signoff.finalised_at.date()) if signoff.finalised_at else "",
            "countersigner": signoff.countersigner or "",
            "countersigned": wording.date(signoff.countersigned_at.date()) if signoff.countersigned_at else "",
            "comment": signoff.comment or "",
        }
    }
