"""`spj lint`: warnings about an instrument that loads but is probably not what its author meant.

One module per family of checks:

- `usage`: indicators no expression reads (and that inform no other step),
  scales no indicator rates;
- `truth` (with `space` and `enumeration`): rules and recommendations that are
  always or never true, decided by enumerating what they read; interventions
  no plan can hold;
- `ranges`: comparisons with constants out of range;
- `texts`: missing translations;
- `authoring`: missing guidance, anchors, providers, durations, rationales;
- `conditions`: conditional items never or always asked.

`accept` sets apart the warnings the instrument accepts in `lint.accept`.

>>> from spj.authoring.lint import lint_file
>>> [str(w) for w in lint_file("instrument.yaml").warnings]  # doctest: +SKIP
"""

from __future__ import annotations

from spj.authoring.lint.model import AcceptedWarning as AcceptedWarning
from spj.authoring.lint.model import LintCode as LintCode
from spj.authoring.lint.model import LintReport as LintReport
from spj.authoring.lint.model import LintWarning as LintWarning
from spj.authoring.lint.runner import lint_file as lint_file
from spj.authoring.lint.runner import lint_instrument as lint_instrument
from spj.authoring.lint.runner import lint_text as lint_text

__all__ = ["AcceptedWarning", "LintCode", "LintReport", "LintWarning", "lint_file", "lint_instrument", "lint_text"]
