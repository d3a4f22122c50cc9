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

from .assessment import Assessment as Assessment
from .assessment import load_assessment as load_assessment
from .assessment import parse_assessment as parse_assessment
from .assessment import parse_assessment_json as parse_assessment_json
from .errors import AssessmentError as AssessmentError
from .errors import Code as Code
from .errors import InstrumentError as InstrumentError
from .errors import Location as Location
from .errors import Problem as Problem
from .errors import RenderError as RenderError
from .errors import RuleError as RuleError
from .errors import SpjError as SpjError
from .evaluate import evaluate as evaluate
from .instrument import Instrument as Instrument
from .instrument import load_instrument as load_instrument
from .instrument import parse_instrument as parse_instrument
from .plan import Plan as Plan
from .plan import build_plan as build_plan
from .report import render_report as render_report
from .results import Evaluation as Evaluation

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "AssessmentError",
    "Code",
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
    "evaluate",
    "load_assessment",
    "load_instrument",
    "parse_assessment",
    "parse_assessment_json",
    "parse_instrument",
    "render_report",
]
