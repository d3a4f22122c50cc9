"""`render_report`: the narrative report as HTML, Markdown or PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from spj.assessment.model import Assessment
from spj.evaluation.results import Evaluation
from spj.instrument.model import Instrument
from spj.report.context import report_context
from spj.report.document import Kind, render_document
from spj.report.history import history_context
from spj.report.overview import summary_context
from spj.report.page import page_furniture
from spj.report.signoff import SignOff, signoff_context

Format = Literal["html", "md", "pdf"]
_TEMPLATES: dict[Kind, str] = {"html": "report.html", "md": "report.md"}


def render_report(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    *,
    format: Format | str = "html",
    lang: str | None = None,
    history: Sequence[tuple[Assessment, Evaluation]] | None = None,
    signoff: SignOff | None = None,
    partners: Mapping[str, str] | None = None,
) -> str | bytes:
    """The narrative report of an assessment, written for a colleague.

    `lang` defaults to the instrument's default language; it may be any
    language the report is translated into (en, nl, fr) or that the
    instrument declares. PDF output returns bytes and needs `spj[pdf]`.

    `history`: earlier assessments of the same case with their evaluations,
    oldest first. With it the report opens with the changes since the latest
    of them and (HTML, PDF) a chart per life area across all assessments.

    `signoff`: who assessed and countersigned it, when, with the countersigner's
    comment (a workspace knows it); without it the report prints no sign-off.

    `partners`: the names of partner agencies by id (`spj.report.partners.partner_names` of a
    deployment); the agreed plan names each partner by it. Without it an id is written as words.

    >>> html = render_report(instrument, assessment, evaluation, lang="nl")  # doctest: +SKIP
    """
    from spj.version import __version__

    def build_context(language: str, kind: Kind) -> dict[str, Any]:
        context = report_context(
            instrument, assessment, evaluation, lang=language, kind=kind, spj_version=__version__, partners=partners
        )
        context.update(
            history_context(
                instrument, assessment, evaluation, history, lang=language, charts=kind == "html", kind=kind
            )
        )
        context.update(summary_context(instrument, assessment, context, signoff, lang=language, kind=kind))
        context.update(signoff_context(signoff, lang=language, kind=kind))
        context["page"] = page_furniture(assessment.case.id, lang=language)
        return context

    return render_document(
        instrument, what="report", templates=_TEMPLATES, build_context=build_context, format=format, lang=lang
    )
