"""Where the report templates live: inside the installed wheel, else in the repository."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # spj/


def template_folder() -> Path:
    """The folder holding the report templates.

    An installed wheel carries them as `spj/_data/templates` (pyproject
    force-include); a source checkout keeps them in `<repo>/reports/templates`.
    """
    for candidate in (_PACKAGE / "_data" / "templates", _PACKAGE.parent / "reports" / "templates"):
        if (candidate / "report.html").is_file():
            return candidate
    raise FileNotFoundError("report templates not found in spj/_data/templates or reports/templates")
