"""Errors of inter-rater studies, and the check that the statistics libraries are installed."""

from __future__ import annotations

from types import ModuleType

from spj.errors import Code, Location, Problem, SpjError

INSTALL_HINT = "pip install 'spj[irr]'"


class IrrError(SpjError, ValueError):
    """The assessments do not form an inter-rater study (code `irr-input`), or a library is missing."""


def irr_problem(message: str, location: Location | None = None) -> Problem:
    """A problem with the study's input, coded `irr-input`."""
    return Problem(Code.IRR_INPUT, message, location or Location())


def require(module: str) -> ModuleType:
    """Import an optional statistics library, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise IrrError(
            irr_problem(f"inter-rater statistics need the {module.split('.')[0]!r} library; run: {INSTALL_HINT}")
        ) from exc
