"""`render_extract`: what a partner agency may see of an assessment, as HTML, Markdown or PDF (DESIGN 4.7)."""

from __future__ import annotations

import json
from pathlib import Path

from spj.assessment.model import Assessment
from spj.disclosure.consultation import Consultation, releasable_note
from spj.disclosure.extract import Extract, basis_for, build_extract, extract_to_dict, grant_for
from spj.disclosure.log import append_disclosure
from spj.disclosure.model import Deployment
from spj.evaluation.results import Evaluation
from spj.instrument.model import Instrument
from spj.instrument.text import localize
from spj.report.document import Kind, render_document
from spj.report.i18n import translations_for
from spj.report.tracks import track_title

_TEMPLATES: dict[Kind, str] = {"html": "extract.html", "md": "extract.md"}
# The engine's words an extract shows, translated by the report catalogs.
_WORDS = (
    "proposed",
    "referred",
    "running",
    "completed",
    "stopped",
    "raised",
    "unknown",
    "info",
    "concern",
    "critical",
    "presence",
    "relevance",
)


def render_extract(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    deployment: Deployment,
    agency: str,
    *,
    format: str = "html",
    lang: str | None = None,
) -> tuple[str | bytes, Extract]:
    """The extract for `agency` and what it contains (for the disclosure log).

    `spj.DisclosureError` (`unknown-agency`) when the agency is not in the deployment.
    """
    language = lang or instrument.default_language
    translations = translations_for(language)
    words = {w: translations.gettext(w) for w in _WORDS}
    words["info"] = translations.gettext("information")  # the report's word for the `info` severity
    extract = build_extract(instrument, assessment, evaluation, deployment, agency, lang=language, labels=words)
    if format == "json":
        return json.dumps(extract_to_dict(extract), indent=2, ensure_ascii=False) + "\n", extract
    content = render_document(
        instrument,
        what="extract",
        templates=_TEMPLATES,
        build_context=lambda lang_, kind: {
            "x": extract,
            "lang": lang_,
            "plan_track_titles": [track_title(t, lang_) for t in extract.plan_tracks],
        },
        format=format,
        lang=language,
    )
    return content, extract


def disclose(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    deployment: Deployment,
    agency: str,
    *,
    log: Path,
    by: str,
    channel: str,
    format: str = "html",
    lang: str | None = None,
) -> str | bytes:
    """What `agency` may see of the assessment, logged before it is returned (DESIGN 4.7).

    The agency that made the assessment gets the whole report and no log
    entry (nothing leaves it). Any other agency of the deployment gets its
    extract, and an entry in the hash-chained log at `log`; when the entry
    cannot be written, `DisclosureError` and no extract.
    """
    from spj.report.render import render_report

    grant_for(deployment, agency, assessment)  # unknown-agency before anything is rendered
    if assessment.assessor.agency == agency:
        if format == "json":
            whole = {
                "assessment": assessment.model_dump(mode="json", by_alias=True),
                "evaluation": evaluation.to_dict(),
            }
            return json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
        return render_report(instrument, assessment, evaluation, format=format, lang=lang)
    content, extract = render_extract(instrument, assessment, evaluation, deployment, agency, format=format, lang=lang)
    append_disclosure(
        log,
        by=by,
        agency=agency,
        from_agency=assessment.assessor.agency,
        case=assessment.case.id,
        assessment=assessment.id,
        sections=extract.sections,
        basis=basis_for(deployment, agency, instrument.default_language, instrument),
        channel=channel,
    )
    return content


def release_feedback(
    record: Consultation,
    deployment: Deployment | None,
    *,
    log: Path,
    by: str,
    lang: str = "en",
) -> str:
    """The feedback note of a consultation as Markdown, logged; refused until every participant approved it."""
    from spj.report.environment import report_environment

    items = releasable_note(record)
    assert record.feedback is not None  # releasable_note refuses a consultation without a note
    to = record.feedback.to
    agency = deployment.agency(to) if deployment else None
    basis = localize(record.basis, lang, None)
    text = (
        report_environment(lang, "md")
        .get_template("feedback.md")
        .render(
            c=record,
            items=items,
            to=(localize(agency.title, lang, None) if agency and agency.title else to),
            basis=basis,
            approved=[a.agency for a in record.feedback.approvals],
        )
    )
    append_disclosure(
        log,
        by=by,
        agency=to,
        from_agency=None,
        case=record.case,
        assessment=record.id,
        sections=["consultation.feedback", *(f"item.{i.id}" for i in items)],
        basis=basis,
        channel="consultation",
    )
    return text
