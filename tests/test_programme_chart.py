"""The programme chart speaks the reader's language: its title, legend and bar labels come from the report's
catalogs (nl, fr), the interventions are labelled by the names given, and nothing else of it changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from spj.cli.app import app
from spj.evaluation.programme import COLUMNS, InterventionFigures
from spj.report.programme import CHART_BARS, CHART_TITLE, figures_svg
from tests.test_agreed_plan import INSTRUMENT
from tests.test_programme import CASE

CATALOGS = Path(__file__).resolve().parents[1] / "spj" / "report" / "locale"
FIGURES = [
    InterventionFigures("guidance_step", dict.fromkeys(COLUMNS, 7), 2.0, 9.0),
    InterventionFigures("rare_step", {**dict.fromkeys(COLUMNS, None), "agreed": 6}, None, None),  # some suppressed
]
WORDS = {
    "nl": ("Interventies over alle dossiers", "Afgesproken", "Gestart", "Afgerond"),
    "fr": ("Interventions sur l'ensemble des dossiers", "Convenues", "Commencées", "Terminées"),
}


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_word_of_the_chart_is_in_the_catalogs(lang: str) -> None:
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string}
    assert {CHART_TITLE, *CHART_BARS.values()} <= translated


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_chart_is_drawn_in_the_language_asked(lang: str) -> None:
    svg = figures_svg(FIGURES, lang=lang, names={"guidance_step": "Begeleiding <synthetisch>"})
    title, agreed, started, completed = WORDS[lang]
    assert f'aria-label="{title}"' in svg and f">{title}</text>" in svg
    for word in (agreed, started, completed):
        assert f">{word}</text>" in svg  # the legend
    assert f">{started} &lt;5</text>" in svg and f">{completed} &lt;5</text>" in svg  # the suppressed bars
    for english in ("Interventions across cases", ">Agreed<", ">Started<", ">Completed<", "started &lt;5"):
        assert english not in svg
    assert "Begeleiding &lt;synthetisch&gt;" in svg  # the name given, escaped
    assert ">rare_step</text>" in svg  # no name: its id
    assert f'lang="{lang}"' in svg


def test_english_is_the_default_and_a_title_given_is_kept() -> None:
    svg = figures_svg(FIGURES)
    assert 'aria-label="Interventions across cases"' in svg and ">Started &lt;5</text>" in svg
    assert 'aria-label="Own title"' in figures_svg(FIGURES, title="Own title", lang="nl")


def test_the_stats_command_draws_the_chart_in_the_language_asked(tmp_path: Path) -> None:
    (tmp_path / "i.yaml").write_text(INSTRUMENT)
    files = []
    for n in range(6):
        path = tmp_path / f"a{n}.yaml"
        path.write_text(CASE.format(n=n, case=f"CASE-{n}", date=dt.date(2020, 1, 1), status="running"))
        files.append(str(path))
    command = ["stats", "interventions", str(tmp_path / "i.yaml"), *files, "--format", "svg"]
    runner = CliRunner()
    dutch = runner.invoke(app, [*command, "--lang", "nl"])
    assert dutch.exit_code == 0, dutch.output
    assert ">Gestart</text>" in dutch.stdout and "Interventies over alle dossiers" in dutch.stdout
    refused = runner.invoke(app, [*command, "--lang", "xx"])
    assert refused.exit_code == 1 and "no chart language 'xx'" in refused.output
    assert "<svg" not in refused.stdout
