"""spj: structured professional judgement assessments, with instruments as data.

>>> import spj
>>> instrument = spj.load_instrument("instruments/disengagement-trajectory/instrument.yaml")  # doctest: +SKIP
>>> assessment = spj.load_assessment("case.yaml", instrument)  # doctest: +SKIP
>>> evaluation = spj.evaluate(instrument, assessment)  # doctest: +SKIP
>>> html = spj.render_report(instrument, assessment, evaluation, format="html", lang="nl")  # doctest: +SKIP

The engine computes descriptive summaries, flags and recommendations, each with
its reasons; summary judgements are always the expert's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spj import _cel  # noqa: F401 - first: `import cel` without the binding's command-line tool (see there)
from spj.assessment import Assessment as Assessment
from spj.assessment import load_assessment as load_assessment
from spj.assessment import parse_assessment as parse_assessment
from spj.assessment import parse_assessment_json as parse_assessment_json
from spj.errors import AssessmentError as AssessmentError
from spj.errors import Code as Code
from spj.errors import DeploymentError as DeploymentError
from spj.errors import DisclosureError as DisclosureError
from spj.errors import InstrumentError as InstrumentError
from spj.errors import Location as Location
from spj.errors import Problem as Problem
from spj.errors import RenderError as RenderError
from spj.errors import RuleError as RuleError
from spj.errors import SpjError as SpjError
from spj.evaluation.evaluate import evaluate as evaluate
from spj.evaluation.plan import build_plan as build_plan
from spj.evaluation.results import Evaluation as Evaluation
from spj.evaluation.results import Plan as Plan
from spj.instrument import Instrument as Instrument
from spj.instrument import load_instrument as load_instrument
from spj.instrument import parse_instrument as parse_instrument
from spj.version import __version__ as __version__

if TYPE_CHECKING:
    from spj.disclosure import Deployment as Deployment
    from spj.disclosure import load_deployment as load_deployment
    from spj.report.signoff import SignOff

_ON_FIRST_USE = {"Deployment": "spj.disclosure", "load_deployment": "spj.disclosure"}
"""Names whose modules load on first use: loading and evaluating need no deployment."""


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        import importlib

        value = getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spj' has no attribute {name!r}")


__all__ = [
    "Assessment",
    "AssessmentError",
    "Code",
    "Deployment",
    "DeploymentError",
    "DisclosureError",
    "Evaluation",
    "Instrument",
    "InstrumentError",
    "Location",
    "Plan",
    "Problem",
    "RenderError",
    "RuleError",
    "SpjError",
    "__version__",
    "build_plan",
    "disclose",
    "evaluate",
    "load_assessment",
    "load_deployment",
    "load_instrument",
    "parse_assessment",
    "parse_assessment_json",
    "parse_instrument",
    "render_report",
]


def render_report(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    *,
    format: str = "html",
    lang: str | None = None,
    history: Sequence[tuple[Assessment, Evaluation]] | None = None,
    signoff: SignOff | None = None,
    partners: Mapping[str, str] | None = None,
) -> str | bytes:
    """The narrative report of an assessment: `spj.report.render_report` (see there).

    The report stack (Jinja, Babel, the templates) is imported on the first call,
    not with `spj`: loading and evaluating do not need it.
    """
    from spj.report import render_report as render

    return render(
        instrument,
        assessment,
        evaluation,
        format=format,
        lang=lang,
        history=history,
        signoff=signoff,
        partners=partners,
    )


def disclose(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    deployment: Deployment,
    agency: str,
    *,
    log: str | Path,
    by: str,
    format: str = "html",
    lang: str | None = None,
) -> str | bytes:
    """What `agency` may see of the assessment (DESIGN 4.7), logged first in the disclosure log at `log`.

    The assessing agency gets the whole report; any other agency of the
    deployment its extract (html, md, pdf or json), professional secrets
    withheld. `DisclosureError` for an agency outside the deployment or a log
    entry that cannot be written: then nothing is returned.
    """
    from spj.report.extract import disclose as give

    return give(
        instrument,
        assessment,
        evaluation,
        deployment,
        agency,
        log=Path(log),
        by=by,
        channel="python",
        format=format,
        lang=lang,
    )
