"""`spj fhir export|import`: one assessment as a FHIR R4 Bundle, and back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from spj.cli.common import AssessmentArg, InstrumentArg, OutputOpt, emit, load_pair
from spj.files.output import refuse_overwriting_inputs


def register(app: typer.Typer, *, handles_errors: Callable[[Any], Any]) -> None:
    """Add `spj fhir` (with `export` and `import`) to `app`."""
    fhir = typer.Typer(name="fhir", help="Exchange assessments with FHIR R4 systems.", no_args_is_help=True)

    @fhir.command("export")
    @handles_errors
    def export(
        instrument: InstrumentArg,
        assessment: AssessmentArg,
        output: OutputOpt = None,
        lang: Annotated[str | None, typer.Option(help="Language of the Questionnaire's texts.")] = None,
        countersigned_by: Annotated[
            str | None, typer.Option("--countersigned-by", help="Who countersigned (a verifier in the Provenance).")
        ] = None,
    ) -> None:
        """A Bundle: Questionnaire, QuestionnaireResponse, PlanDefinition, CarePlan and Provenance (validated)."""
        from spj.interop.fhir import export_bundle

        refuse_overwriting_inputs(output, instrument, assessment)
        inst, assess, evaluation = load_pair(instrument, assessment)
        bundle = export_bundle(inst, assess, evaluation, lang=lang, countersigned_by=countersigned_by)
        emit(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", output)

    @fhir.command("import")
    @handles_errors
    def import_(
        bundle: Annotated[
            Path, typer.Argument(help="A FHIR R4 Bundle (JSON) from spj fhir export.", show_default=False)
        ],
        output: OutputOpt = None,
        instrument: Annotated[
            Path | None, typer.Option("--instrument", help="The instrument (default: the one the bundle names).")
        ] = None,
    ) -> None:
        """The assessment in a Bundle, as an assessment file (YAML), validated against its instrument."""
        from spj.errors import AssessmentError
        from spj.files.yamlout import dump_yaml
        from spj.files.yamlsource import read_bytes
        from spj.instrument import load_instrument
        from spj.interop.fhir import import_bundle
        from spj.interop.loading import InstrumentFinder

        refuse_overwriting_inputs(output, bundle, instrument)
        finder = InstrumentFinder([load_instrument(instrument)] if instrument else [])
        assessment = import_bundle(read_bytes(bundle, error=AssessmentError), finder, file=str(bundle))
        emit(
            dump_yaml(assessment.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)),
            output,
        )

    app.add_typer(fhir)
