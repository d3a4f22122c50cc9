"""Training on vignettes: synthetic cases with a methodologist's reference rating, and feedback on a trainee's.

::

    vignette = load_vignette("instruments/x/vignettes/x-v01.vignette.yaml", instrument)
    print(trainee_scaffold(instrument, vignette, trainee="u-42"))       # nothing of the reference
    feedback = submit(instrument, vignette, load_assessment(path, instrument), record=default_record_path())

A vignette never counts as a case: it is not stored, scored or reported as one.
"""

from __future__ import annotations

from spj.authoring.training.agreement import GroupAgreement as GroupAgreement
from spj.authoring.training.discovery import vignette_paths as vignette_paths
from spj.authoring.training.errors import TrainingError as TrainingError
from spj.authoring.training.feedback import Comparison as Comparison
from spj.authoring.training.feedback import classify as classify
from spj.authoring.training.feedback import compare as compare
from spj.authoring.training.loader import load_vignette as load_vignette
from spj.authoring.training.loader import parse_vignette as parse_vignette
from spj.authoring.training.loader import vignette_from_document as vignette_from_document
from spj.authoring.training.model import VIGNETTE_FORMAT as VIGNETTE_FORMAT
from spj.authoring.training.model import Vignette as Vignette
from spj.authoring.training.progress import Progress as Progress
from spj.authoring.training.progress import progress as progress
from spj.authoring.training.progress import progress_by_instrument as progress_by_instrument
from spj.authoring.training.record import default_record_path as default_record_path
from spj.authoring.training.record import read_submissions as read_submissions
from spj.authoring.training.render import render_feedback as render_feedback
from spj.authoring.training.render import render_progress as render_progress
from spj.authoring.training.scaffold import trainee_scaffold as trainee_scaffold
from spj.authoring.training.session import Feedback as Feedback
from spj.authoring.training.session import submit as submit

__all__ = [
    "VIGNETTE_FORMAT",
    "Comparison",
    "Feedback",
    "GroupAgreement",
    "Progress",
    "TrainingError",
    "Vignette",
    "classify",
    "compare",
    "default_record_path",
    "load_vignette",
    "parse_vignette",
    "progress",
    "progress_by_instrument",
    "read_submissions",
    "render_feedback",
    "render_progress",
    "submit",
    "trainee_scaffold",
    "vignette_from_document",
    "vignette_paths",
]
