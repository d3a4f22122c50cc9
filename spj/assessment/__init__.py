"""Assessments: the model (data), the loader and the validation against an instrument."""

from __future__ import annotations

from spj.assessment.loader import assessment_from_data as assessment_from_data
from spj.assessment.loader import load_assessment as load_assessment
from spj.assessment.loader import parse_assessment as parse_assessment
from spj.assessment.loader import parse_assessment_json as parse_assessment_json
from spj.assessment.model import Assessment as Assessment
from spj.assessment.model import Rating as Rating

__all__ = [
    "Assessment",
    "Rating",
    "assessment_from_data",
    "load_assessment",
    "parse_assessment",
    "parse_assessment_json",
]
