"""Errors of training on vignettes."""

from __future__ import annotations

from spj.errors import SpjError


class TrainingError(SpjError, ValueError):
    """A vignette without its reference (`vignette-reference`), a peek at a reference before submitting
    (`reference-sealed`), or a training record that cannot be read or written (`training-record`)."""
