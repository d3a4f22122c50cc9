"""`render_report`: the narrative report as HTML, Markdown or PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from jinja2 import TemplateError

from ..assessment.model import Assessment
from ..errors import Code, Problem, RenderError
from ..instrument.model import Instrument
from ..results import Evaluation
from .context import report_context
from .environment import report_environment
from .history import history_context
from .i18n import report_languages
from .pdf import html_to_pdf

Format = Literal["html", "md", "pdf"]
_TEMPLATES = {"html": "report.html", "md": "report.md"}


def render_report(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    *,
    format: Format | str = "html",
    lang: str | None = None,
    history: Sequence[tuple[Assessment, Evaluation]] | None = None,
) -> str | bytes:
    """The narrative report of an assessment, written for a colleague.

    `lang` defaults to the instrument's default language; it may be any
    language the report is translated into (en, nl, fr) or that the
    instrument declares. PDF output returns bytes and needs `spj[pdf]`.

    `history`: earlier assessments of the same case with their evaluations,
    oldest first. With it the report opens with the changes since the latest
    of them and (HTML, PDF) a chart per life area across all assessments.

    >>> html = render_report(instrument, assessment, evaluation, lang="nl")  # doctest: +SKIP
    """
    if format not in ("html", "md", "pdf"):
        raise RenderError(Problem(Code.OUTPUT, f"unknown report format {format!r}; use html, md or pdf"))
    lang = lang or instrument.default_language
    known = sorted(set(report_languages()) | set(instrument.languages))
    if lang not in known:
        raise RenderError(Problem(Code.LANGUAGE, f"no report language {lang!r}; choose one of {', '.join(known)}"))
    from .. import __version__

    context = report_context(instrument, assessment, evaluation, lang=lang, spj_version=__version__)
    kind = "md" if format == "md" else "html"
    context.update(history_context(instrument, assessment, evaluation, history, lang=lang, charts=kind == "html"))
    template_name = _TEMPLATES[kind]
    try:
        # Leading blank lines come from the templates' macro definitions.
        text = report_environment(lang, kind).get_template(template_name).render(context).lstrip()
    except TemplateError as exc:
        raise RenderError(Problem(Code.TEMPLATE, f"report template {template_name}: {exc}")) from exc
    if format == "pdf":
        return html_to_pdf(text)
    return text
