"""Certification of experts on an instrument version: requirements in the deployment, evidence from training.

::

    verdict = assess(progress(expert, read_submissions(record, trainee=expert), instrument=(id, version)), requirement)
    if verdict.met:
        append_certification(register, Certification(expert, id, version, today, verdict.figures))
"""

from __future__ import annotations

from spj.authoring.certification.assess import Verdict as Verdict
from spj.authoring.certification.assess import assess as assess
from spj.authoring.certification.carry import rater_facing_changes as rater_facing_changes
from spj.authoring.certification.errors import CertificationError as CertificationError
from spj.authoring.certification.gate import finalising_problems as finalising_problems
from spj.authoring.certification.register import Certification as Certification
from spj.authoring.certification.register import append_certification as append_certification
from spj.authoring.certification.register import certification_of as certification_of
from spj.authoring.certification.register import default_register_path as default_register_path
from spj.authoring.certification.register import read_register as read_register

__all__ = [
    "Certification",
    "CertificationError",
    "Verdict",
    "append_certification",
    "assess",
    "certification_of",
    "default_register_path",
    "finalising_problems",
    "rater_facing_changes",
    "read_register",
]
