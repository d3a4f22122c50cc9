"""What the report and the codebook share: one way to pick the language, render a template and make a PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import TemplateError

from spj.errors import Code, Problem, RenderError
from spj.instrument.model import Instrument
from spj.report.environment import report_template
from spj.report.i18n import report_languages
from spj.report.pdf import html_to_pdf
from spj.report.wording import Kind as Kind


def render_document(
    instrument: Instrument,
    *,
    what: str,
    templates: dict[Kind, str],
    build_context: Callable[[str, Kind], dict[str, Any]],
    format: str,
    lang: str | None,
) -> str | bytes:
    """Check format and language, render the template for `what` ("report", "codebook"), PDF from the HTML."""
    if format not in ("html", "md", "pdf"):
        raise RenderError(Problem(Code.OUTPUT, f"unknown {what} format {format!r}; use html, md or pdf"))
    lang = lang or instrument.default_language
    known = sorted(set(report_languages()) | set(instrument.languages))
    if lang not in known:
        raise RenderError(Problem(Code.LANGUAGE, f"no {what} language {lang!r}; choose one of {', '.join(known)}"))
    kind: Kind = "md" if format == "md" else "html"
    context = build_context(lang, kind)
    template_name = templates[kind]
    try:
        # Leading blank lines come from the templates' macro definitions.
        text = report_template(lang, kind, template_name).render(context).lstrip()
    except TemplateError as exc:
        raise RenderError(Problem(Code.TEMPLATE, f"{what} template {template_name}: {exc}")) from exc
    if format == "pdf":
        return html_to_pdf(text)
    return text
