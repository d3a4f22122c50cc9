"""Codes a report shows by a label, never bare: judgement levels, scenario kinds, step statuses, providers, sources.

An instrument names what it labels (scale levels, case-field choices, judgement
levels with `labels:`); what it leaves as a code — a judgement level without a
label, a provider id such as `social-services`, a scenario kind, a source kind,
a step's delivery status — gets its label here, translated by the report
catalogs (`msgctxt` keeps each family apart). A code none of them knows and
that looks like a code (`debt-mediation`) is written as words ("Debt
mediation"); anything else (a name the expert typed) is shown as it is.

>>> CodeLabels("en").provider("social-services")
'Public social welfare centre'
>>> CodeLabels("en").provider("debt_mediation-team")
'Debt mediation team'
>>> CodeLabels("en").provider("OCMW Gent")
'OCMW Gent'
"""

from __future__ import annotations

import functools
import re

from spj.report.i18n import translations_for

_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")

# msgctxt -> code -> English label (the msgid). Translated in spj/report/locale/*/messages.po.
KNOWN: dict[str, dict[str, str]] = {
    "level": {
        "low": "Low",
        "moderate": "Moderate",
        "high": "High",
        "very_high": "Very high",
        "none": "None",
    },
    "scenario": {
        "repeat": "Repeat",
        "twist": "Twist",
        "escalation": "Escalation",
        "improvement": "Improvement",
    },
    "status": {
        "proposed": "Proposed",
        "referred": "Referred",
        "running": "Running",
        "completed": "Completed",
        "stopped": "Stopped",
    },
    "provider": {
        "probation": "House of justice",
        "mental-health": "Mental health care",
        "ngo": "Non-profit organisation",
        "social-services": "Public social welfare centre",
        "housing-service": "Housing service",
        "education": "Education",
        "employment": "Employment service",
        "family-support": "Family support",
        "local-integral-security-cell": "Local integral security cell",
        "local-task-force": "Local task force",
        "theological-adviser": "Theological adviser",
        "prison": "Prison",
    },
    "source": {
        "interview": "Interview",
        "file-review": "File review",
        "file": "File",
        "collateral": "Contact with a third party",
        "case-consultation": "Case consultation",
        "observation": "Observation",
    },
}


def looks_like_code(text: str) -> bool:
    """Lower-case letters and digits joined by `-` or `_`: an id, not a name a person typed."""
    return bool(_CODE.fullmatch(text))


def as_words(code: str) -> str:
    """`debt-mediation` as "Debt mediation" (a code nobody labelled, never shown bare)."""
    words = re.sub(r"[-_]+", " ", code).strip()
    return words[:1].upper() + words[1:]


class CodeLabels:
    """The labels of codes in one report language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._pgettext = translations_for(lang).pgettext

    def label(self, family: str, code: str | None) -> str:
        """The label of `code` in `family` (a `KNOWN` key); a code-like unknown as words; other text as it is."""
        if not code:
            return ""
        known = KNOWN[family].get(code)
        if known is not None:
            return str(self._pgettext(family, known))
        return as_words(code) if looks_like_code(code) else code

    def level(self, code: str | None) -> str:
        return self.label("level", code)

    def scenario(self, code: str | None) -> str:
        return self.label("scenario", code)

    def status(self, code: str | None) -> str:
        return self.label("status", code)

    def provider(self, code: str | None) -> str:
        return self.label("provider", code)

    def source(self, code: str | None) -> str:
        return self.label("source", code)


@functools.lru_cache(maxsize=16)
def code_labels(lang: str) -> CodeLabels:
    """The (shared) labels for `lang`."""
    return CodeLabels(lang)
