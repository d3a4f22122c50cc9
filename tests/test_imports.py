"""What importing spj loads: the core, not the report, web or store stacks, nor the CEL binding's own CLI.

Each check runs a fresh interpreter and reads its `sys.modules`: an eager
import added anywhere shows here, not as a slower start nobody notices.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import spj

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "instruments" / "disengagement-trajectory" / "instrument.yaml"
EXAMPLE = INSTRUMENT.parent / "examples" / "case-0101.assessment.yaml"

REPORT_STACK = ("jinja2", "babel", "markupsafe", "weasyprint")
WEB_AND_STORE = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "openpyxl")
CEL_CLI = ("cel.cli", "typer", "rich", "prompt_toolkit", "pygments")


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _present(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules or any(m.startswith(name + ".") for m in modules)]


def test_import_spj_loads_the_core_only() -> None:
    loaded = _loaded_after("import spj")
    assert _present(loaded, (*REPORT_STACK, *WEB_AND_STORE, *CEL_CLI, "networkx", "yaml")) == []
    assert "spj.report" not in loaded


def test_import_spj_leaves_what_only_a_failing_file_or_an_agreed_plan_needs() -> None:
    """Schema error wording and repair serve invalid files only; the agreed plan, version-2 assessments."""
    loaded = _loaded_after("import spj")
    assert _present(loaded, ("spj.files.schema_errors", "spj.instrument.repair", "spj.evaluation.agreed")) == []


def test_loading_and_evaluating_need_no_report_stack_nor_networkx() -> None:
    loaded = _loaded_after(
        f"import spj; i = spj.load_instrument({str(INSTRUMENT)!r}); "
        f"spj.evaluate(i, spj.load_assessment({str(EXAMPLE)!r}, i))"
    )
    assert _present(loaded, (*REPORT_STACK, *WEB_AND_STORE, *CEL_CLI, "networkx")) == []


def test_the_command_line_imports_the_library_in_its_commands() -> None:
    loaded = _loaded_after("import spj.cli.app")
    assert _present(loaded, (*REPORT_STACK, *WEB_AND_STORE, "rich", "prompt_toolkit", "networkx")) == []


def test_the_cel_binding_comes_without_its_cli_and_keeps_its_names() -> None:
    loaded = _loaded_after(
        "import spj, cel\n"
        "assert cel.compile('a + 1').execute({'a': 1}) == 2 and cel.evaluate('2 * 3') == 6\n"
        "assert {'Context', 'Program', 'OptionalValue'} <= set(dir(cel))\n"
        "import sys; assert 'cel.cli' not in sys.modules\n"
        "assert callable(cel.stdlib.add_stdlib_to_context)  # submodules still import on first use"
    )
    assert "cel.stdlib" in loaded
    assert _present(loaded, CEL_CLI) == []


def test_render_report_imports_the_report_stack_on_its_first_call() -> None:
    loaded = _loaded_after(
        f"import spj; i = spj.load_instrument({str(INSTRUMENT)!r}); a = spj.load_assessment({str(EXAMPLE)!r}, i)\n"
        "from spj.report import render_report\n"
        "e = spj.evaluate(i, a)\n"
        "assert spj.render_report(i, a, e, format='md', lang='nl') == render_report(i, a, e, format='md', lang='nl')"
    )
    assert _present(loaded, ("jinja2", "babel")) == ["jinja2", "babel"]


@pytest.mark.parametrize("name", ["render_report"])
def test_the_thin_wrapper_takes_what_the_report_takes(name: str) -> None:
    from spj import report

    def shape(function: object) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]  # type: ignore[arg-type]

    assert shape(getattr(spj, name)) == shape(getattr(report, name))


def test_the_public_api_keeps_every_name_and_adds_disclosure() -> None:
    """DESIGN 4.5 is extended, never broken: the earlier names stay; DESIGN 4.7 adds the deployment's."""
    assert spj.__all__ == [
        "Assessment",
        "AssessmentError",
        "Code",
        "Deployment",
        "DeploymentError",
        "DisclosureError",
        "Evaluation",
        "Instrument",
        "InstrumentError",
        "Location",
        "Plan",
        "Problem",
        "RenderError",
        "RuleError",
        "SpjError",
        "__version__",
        "build_plan",
        "disclose",
        "evaluate",
        "load_assessment",
        "load_deployment",
        "load_instrument",
        "parse_assessment",
        "parse_assessment_json",
        "parse_instrument",
        "render_report",
    ]
    assert all(hasattr(spj, name) for name in spj.__all__)


def _validate_loads(path: Path) -> set[str]:
    return _loaded_after(
        "import sys\n"
        f"sys.argv = ['spj', 'validate', {str(path)!r}]\n"
        "from spj.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code"
    )


def test_spj_validate_imports_its_own_command_and_what_an_instrument_needs() -> None:
    """The console script imports the command it runs, not every command; validating an instrument
    needs neither the report stack, nor training, inter-rater agreement or disclosure."""
    loaded = _validate_loads(INSTRUMENT)
    commands = sorted(m for m in loaded if m.startswith("spj.cli.commands."))
    assert commands == ["spj.cli.commands.validate"]
    assert "spj.cli.app" not in loaded
    assert _present(loaded, (*REPORT_STACK, *WEB_AND_STORE, "rich", "prompt_toolkit", "networkx")) == []
    heavy = ("spj.authoring.training", "spj.authoring.irr", "spj.disclosure", "spj.report", "spj.evaluation.agreed")
    assert _present(loaded, heavy) == []


def test_spj_validate_of_an_assessment_still_checks_its_plan() -> None:
    loaded = _validate_loads(EXAMPLE)
    assert _present(loaded, REPORT_STACK) == []


def test_the_vignette_format_is_named_once() -> None:
    from spj.authoring.checking import VIGNETTE_FORMAT
    from spj.authoring.training.model import VIGNETTE_FORMAT as TRAINING

    assert VIGNETTE_FORMAT == TRAINING


def test_a_group_or_an_unknown_name_gets_the_whole_command_line() -> None:
    from spj.cli.entry import one_command

    assert one_command(["xlsx", "--help"]) is None  # a group
    assert one_command(["nope"]) is None
    assert one_command(["--help"]) is None
    assert one_command([]) is None
    assert one_command(["validate", "x.yaml"]) is not None
