"""The instrument as data (`format: spj/1`, DESIGN 4.1): pydantic, immutable.

These models hold data only. Loading (with locations), reference checks and
rule compilation live in `loader.py` and `checks.py`; the compiled rules and
look-up tables of a loaded `Instrument` live beside it, in an immutable
`InstrumentIndex` (`index.py`, `index_of(instrument)`).
"""

# No `from __future__ import annotations` here: pydantic reads these annotations as types, not as text
# it must evaluate at import, which makes `import spj` faster.
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from spj.instrument.lint_model import LintSettings, is_empty
from spj.instrument.migration_model import Migration

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"

InstrumentId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=100)]
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN, max_length=64)]
Language = Annotated[str, StringConstraints(pattern=LANG_PATTERN)]
Expression = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Track = Literal["security", "social-preventive"]
"""The two follow-up tracks: security (task force, police, prosecution) and social-preventive (care, welfare)."""
TRACKS: tuple[str, ...] = ("social-preventive", "security")
"""The tracks, in the order reports show them."""


def _code_as_text(value: Any) -> Any:
    """Scale codes are names: `1` written unquoted is the code "1"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


Code = Annotated[str, BeforeValidator(_code_as_text), StringConstraints(min_length=1, max_length=50)]
Text = str | dict[Language, str]
"""A text: one string (the default language) or a map from language to text."""


class Model(BaseModel):
    """Base of every instrument model: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, str_strip_whitespace=False)


class ScaleLevel(Model):
    """One ordered level of a scale; `value` is what rules see."""

    code: Code
    value: int
    label: Text
    description: Text | None = None


class Domain(Model):
    """A life area; domains appear in reports in instrument order."""

    id: Name
    title: Text
    description: Text | None = None


class Indicator(Model):
    """An indicator rated by the expert, within one domain."""

    id: Name
    domain: Name
    kind: Literal["risk", "protective"]
    title: Text
    guidance: Text | None = None
    anchors: dict[Code, Text] = Field(default_factory=dict)
    rate: tuple[Name, ...] = ("presence", "relevance")
    """The scales rated for it; when left out, presence and relevance (those of them the instrument has)."""
    # Left out of the dump when not given, so the content hash of an indicator without it is unchanged.
    informs: Literal["formulation"] | None = Field(default=None, exclude_if=lambda value: value is None)
    """A step of the judgement it informs besides any rule: `formulation` (the assessor weighs it there)."""
    # Conditional items (see docs/conditional-items.md). Left out of the dump when not given, so the
    # content hash of an indicator without them is unchanged.
    applies_when: Expression | None = Field(default=None, exclude_if=lambda value: value is None)
    """The indicator is asked only when this expression (over ratings and case fields) is true; else not applicable."""
    scale_applies_when: dict[Name, Expression] = Field(default_factory=dict, exclude_if=lambda value: not value)
    """Per rated scale other than the first: that scale is asked only when its expression is true."""


class CaseField(Model):
    """A fact about the case that rules and reports may read."""

    id: Name
    type: Literal["choice", "text", "integer", "boolean"] = "text"
    choices: tuple[Code, ...] = ()
    title: Text | None = None
    labels: dict[Code, Text] = Field(default_factory=dict)
    # Left out of the dump when false, so the content hash of a field without it is unchanged.
    multiple: bool = Field(default=False, exclude_if=lambda value: not value)
    """A `choice` that may hold several codes at once: rules see a list (`'x' in case.f`)."""


class RecordField(CaseField):
    """A structured item the expert records: a fact of the background step, or a detail of each scenario.

    Typed like a case field (choice, text, integer, boolean); rules do not read it, reports show it.
    """

    guidance: Text | None = Field(default=None, exclude_if=lambda value: value is None)
    """What to record, in the instrument's words (shown beside the field in the form and the codebook)."""


class Omission(Model):
    """How many omitted indicators an assessment tolerates."""

    max_omitted_ratio: float = Field(default=0.25, ge=0.0, le=1.0)


class Rule(Model):
    """A derived flag: raised when `when` is true, unknown when it cannot be known."""

    id: Name
    when: Expression
    severity: Literal["info", "concern", "critical"] = "concern"
    title: Text | None = None
    message: Text


class Intervention(Model):
    """A step of the trajectory, recommended by its expression."""

    id: Name
    title: Text
    description: Text | None = None
    domain: Name
    provider: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    duration_weeks: int = Field(ge=0, le=520)
    recommend_when: Expression
    requires: tuple[Name, ...] = ()
    after: tuple[Name, ...] = ()
    # Left out of the dump when empty, so the content hash of an intervention without it is unchanged.
    rationale: dict[Name, Text] = Field(default_factory=dict, exclude_if=lambda value: not value)
    """Why it waits for each of its dependencies: a short text per `requires`/`after` id (shown in the codebook)."""
    track: Track | None = Field(default=None, exclude_if=lambda value: value is None)
    """The follow-up it belongs to: the security track or the social-preventive one (none: not said)."""
    frame: bool = Field(default=False, exclude_if=lambda value: not value)
    """A running frame (the probation officer's guidance): it runs beside the whole trajectory, its duration
    the planning horizon, and is never on the critical path, which shows the sequence of the other steps."""


class Judgement(Model):
    """A summary judgement: entered by the expert, never computed."""

    id: Name
    title: Text
    description: Text | None = None
    levels: tuple[Code, ...] = Field(min_length=1)
    labels: dict[Code, Text] = Field(default_factory=dict)
    rationale_required: bool = False


class Instrument(Model):
    """An SPJ instrument (`format: spj/1`).

    A loaded instrument also knows its content hash (`sha256`) and the file it
    came from (`source`); its compiled rules are in `index_of(instrument)`. It
    is immutable and safe to share between threads.
    """

    format: Literal["spj/1"]
    id: InstrumentId
    version: Version
    title: Text
    description: Text | None = None
    languages: tuple[Language, ...] = Field(default=("en",), min_length=1)
    # Left out of the dump when empty; not part of the content hash either (see `loader.content_hash`).
    required_languages: tuple[Language, ...] = Field(default=(), exclude_if=lambda value: not value)
    """Languages every text must have: `spj validate` refuses a missing one. Others fall back to the default."""
    license: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    citation: str | None = None
    scales: dict[Name, tuple[ScaleLevel, ...]]
    domains: tuple[Domain, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    case_fields: tuple[CaseField, ...] = ()
    omission: Omission = Omission()
    rules: tuple[Rule, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    judgements: tuple[Judgement, ...] = ()
    # Left out of the dump when empty, so the content hash of an instrument without them is unchanged.
    background: tuple[RecordField, ...] = Field(default=(), exclude_if=lambda value: not value)
    """The structured background step: history, index offence, previous interventions."""
    scenario_fields: tuple[RecordField, ...] = Field(default=(), exclude_if=lambda value: not value)
    """The scenario schema: the details recorded for every scenario (nature, victims, severity, imminence...)."""
    # Left out of the dump when empty, so the content hash of an instrument without migrations is unchanged.
    migrations: tuple[Migration, ...] = Field(default=(), exclude_if=lambda value: not value)
    # Warnings the authors intend (`spj lint`); not part of the content hash (see `loader.content_hash`).
    lint: LintSettings = Field(default_factory=LintSettings, exclude_if=is_empty)

    _sha256: str = PrivateAttr(default="")
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _default_rate(cls, data: Any) -> Any:
        """An indicator without `rate` is rated on presence and relevance, where the instrument has them."""
        if not isinstance(data, dict) or not isinstance(data.get("scales"), dict):
            return data
        indicators = data.get("indicators")
        if not isinstance(indicators, list) or not any(isinstance(i, dict) and "rate" not in i for i in indicators):
            return data
        default = [s for s in ("presence", "relevance") if s in data["scales"]] or ["presence"]
        return {
            **data,
            "indicators": [
                {**i, "rate": default} if isinstance(i, dict) and "rate" not in i else i for i in indicators
            ],
        }

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the content, not the compiled rules (CEL programs do not pickle): `restore_instrument`
        checks and compiles it again, once per process, so process pools can share a loaded instrument."""
        from spj.instrument.loader import restore_instrument  # the loader imports this module

        return (restore_instrument, (self.model_dump(mode="json"), self._source, self._sha256))

    @property
    def sha256(self) -> str:
        """Hash of the instrument's canonical JSON content."""
        return self._sha256

    @property
    def source(self) -> str | None:
        """The file the instrument was loaded from, if any."""
        return self._source

    @property
    def default_language(self) -> str:
        """The first declared language; missing translations fall back to it."""
        return self.languages[0]
