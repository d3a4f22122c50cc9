"""`spj lint`: warnings about an instrument that loads but is probably not what its author meant.

One module per family of checks:

- `usage`: indicators no expression reads, scales no indicator rates;
- `truth` (with `space` and `enumeration`): rules and recommendations that are
  always or never true, decided by enumerating what they read; interventions
  no plan can hold;
- `ranges`: comparisons with constants out of range;
- `texts`: missing translations;
- `authoring`: missing guidance, anchors, providers, durations, rationales.

>>> from spj.lint import lint_file
>>> [str(w) for w in lint_file("instrument.yaml")]  # doctest: +SKIP
"""

from __future__ import annotations

from spj.authoring.lint.model import LintCode as LintCode
from spj.authoring.lint.model import LintWarning as LintWarning
from spj.authoring.lint.runner import lint_file as lint_file
from spj.authoring.lint.runner import lint_instrument as lint_instrument
from spj.authoring.lint.runner import lint_text as lint_text

__all__ = ["LintCode", "LintWarning", "lint_file", "lint_instrument", "lint_text"]
