"""Errors of spj: one root, stable codes, every problem located.

The tree::

    SpjError
    ├── InstrumentError (ValueError)   an instrument file has problems
    ├── AssessmentError (ValueError)   an assessment file has problems
    ├── RuleError (ValueError)         an expression cannot be compiled or evaluated
    ├── DeploymentError (ValueError)   a deployment file has problems
    ├── DisclosureError                an extract may not or cannot be given (unknown agency, log not written)
    ├── RenderError                    a report cannot be rendered
    ├── ExportError (ValueError)       a batch, export or import cannot be made (bad output file, key, resource)
    └── StoreError                     persistence failed

Each error carries a list of `Problem`s: a stable `Code`, a message that says
what to do, and a `Location` (file, line, column, path in the document).
Tests match codes, not English.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    """Stable problem codes; the HTTP API and the CLI print the same ones."""

    FILE_NOT_FOUND = "file-not-found"
    FILE_TOO_LARGE = "file-too-large"
    FILE_ENCODING = "file-encoding"
    YAML_SYNTAX = "yaml-syntax"
    YAML_TAG = "yaml-tag"
    YAML_ALIAS = "yaml-alias"
    YAML_TOO_DEEP = "yaml-too-deep"
    YAML_MULTIPLE_DOCUMENTS = "yaml-multiple-documents"
    YAML_KEY = "yaml-key"
    DUPLICATE_KEY = "duplicate-key"
    SCHEMA = "schema"
    DUPLICATE_ID = "duplicate-id"
    UNRESOLVED_REFERENCE = "unresolved-reference"
    CYCLE = "cycle"
    RULE_SYNTAX = "rule-syntax"
    RULE_TOO_COMPLEX = "rule-too-complex"
    RULE_TOO_COSTLY = "rule-too-costly"
    RULE_REFERENCE = "rule-reference"
    RULE_TYPE = "rule-type"
    RULE_OUT_OF_RANGE = "rule-out-of-range"
    RULE_EVALUATION = "rule-evaluation"
    RULE_BUDGET_EXHAUSTED = "rule-budget-exhausted"
    LANGUAGE = "language"
    MISSING_TRANSLATION = "missing-translation"
    INSTRUMENT_MISMATCH = "instrument-mismatch"
    INSTRUMENT_NOT_FOUND = "instrument-not-found"
    UNKNOWN_CODE = "unknown-code"
    UNKNOWN_INDICATOR = "unknown-indicator"
    UNKNOWN_SCALE = "unknown-scale"
    UNKNOWN_SOURCE = "unknown-source"
    UNKNOWN_JUDGEMENT = "unknown-judgement"
    UNKNOWN_CASE_FIELD = "unknown-case-field"
    UNKNOWN_FIELD = "unknown-field"  # a background field or scenario detail the instrument does not declare
    OMISSION = "omission"
    INCOMPLETE = "incomplete"
    MISSING_RATIONALE = "missing-rationale"
    MISSING_JUDGEMENT = "missing-judgement"
    NOT_APPLICABLE = "not-applicable"  # a value given for an item whose applies_when is false (a warning)
    TEMPLATE = "template"
    OUTPUT = "output"
    XLSX = "xlsx"
    MIGRATION = "migration"
    IRR_INPUT = "irr-input"
    CASE_FILE = "case-file"
    NOT_FOUND = "not-found"
    CONFLICT = "conflict"
    LOCKED = "locked"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CSRF = "csrf"
    TOO_MANY_ATTEMPTS = "too-many-attempts"
    STORE = "store"
    AUDIT_KEY = "audit-key"  # the key that seals the audit trail is missing or malformed
    CHECKPOINT = "checkpoint"  # an audit checkpoint file that cannot be read or is not signed by a known key
    BUSY = "busy"  # expensive work (a PDF) refused for now: try again after Retry-After
    INVALID_REQUEST = "invalid-request"
    ENVIRONMENT = "environment"  # a setting the server reads from the environment is missing or malformed
    # The agreed plan (DESIGN 4.6)
    UNDECIDED_INTERVENTION = "undecided-intervention"
    DECISION_NEEDS_REASON = "decision-needs-reason"
    DECLINED_PREREQUISITE = "declined-prerequisite"
    UNKNOWN_INTERVENTION = "unknown-intervention"
    START_BEFORE_DEPENDENCY = "start-before-dependency"
    MISSING_REVIEW_DATE = "missing-review-date"
    # Deployment and disclosure (DESIGN 4.7)
    UNKNOWN_KIND = "unknown-kind"
    UNKNOWN_SECTION = "unknown-section"
    UNKNOWN_AGENCY = "unknown-agency"
    DISCLOSURE_LOG = "disclosure-log"
    SECRET_IN_FEEDBACK = "secret-in-feedback"
    # The workspace's plan over time (issue 8)
    NOT_FINAL = "not-final"
    REFERRAL_STATE = "referral-state"
    FEEDBACK_NOT_APPROVED = "feedback-not-approved"
    # Training on vignettes (issue 10)
    VIGNETTE_REFERENCE = "vignette-reference"
    REFERENCE_SEALED = "reference-sealed"
    TRAINING_RECORD = "training-record"
    THRESHOLD_RANGE = "threshold-range"
    NOT_CERTIFIED = "not-certified"
    UNCERTIFIED_EXPERT = "uncertified-expert"
    CERTIFICATION_REGISTER = "certification-register"
    # Case systems and research (issue 12): batch runs, exports, FHIR
    BATCH_OUTPUT = "batch-output"
    EXPORT_KEY = "export-key"
    FHIR_INVALID = "fhir-invalid"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: file, 1-based line and column, path in the document."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    @property
    def dotted_path(self) -> str:
        """The document path as `indicators[3].domain`."""
        return format_path(self.path)


def format_path(path: Sequence[str | int]) -> str:
    """Render a document path.

    >>> format_path(("indicators", 3, "domain"))
    'indicators[3].domain'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True, slots=True)
class Finding:
    """Something said about an input, located and coded: the shape of problems and lint warnings."""

    code: StrEnum
    message: str
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        where = self.location.dotted_path
        suffix = f" (at {where})" if where else ""
        return f"{self.location}: {self.code.value} {self.message}{suffix}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, as the HTTP API returns it."""
        loc = self.location
        return {
            "code": self.code.value,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": loc.dotted_path,
        }


@dataclass(frozen=True, slots=True)
class Problem(Finding):
    """One thing wrong with an input, located and coded."""

    code: Code


class SpjError(Exception):
    """Root of every error spj raises on purpose; carries its problems."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(Code.SCHEMA, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def codes(self) -> list[str]:
        """The problem codes, in order."""
        return [p.code.value for p in self.problems]


class InstrumentError(SpjError, ValueError):
    """An instrument could not be loaded; `problems` lists every reason."""


class AssessmentError(SpjError, ValueError):
    """An assessment could not be loaded or is invalid for its instrument."""


class RuleError(SpjError, ValueError):
    """An expression could not be compiled or evaluated."""


class DeploymentError(SpjError, ValueError):
    """A deployment file could not be loaded; `problems` lists every reason."""


class DisclosureError(SpjError):
    """An extract may not be given (an agency outside the deployment) or its log entry cannot be written."""


class RenderError(SpjError):
    """A report could not be rendered or written."""


class ExportError(SpjError, ValueError):
    """A batch run, an export or an import cannot be made: its output, key or input is unusable."""


class StoreError(SpjError):
    """Persistence failed."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ' Did you mean X?' suffix, or '' when nothing is close.

    >>> did_you_mean("wellbeeing", ["social", "wellbeing"])
    "; did you mean 'wellbeing'?"
    """
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""
