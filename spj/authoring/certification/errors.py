"""Errors of certification."""

from __future__ import annotations

from spj.errors import SpjError


class CertificationError(SpjError, ValueError):
    """Not (yet) certified (`not-certified`), an uncertified expert finalising under `refuse`
    (`uncertified-expert`), or a register that cannot be read or written (`certification-register`)."""
