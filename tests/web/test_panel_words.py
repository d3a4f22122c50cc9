"""The live panel speaks the expert's language (issue 9, point 3): reasons are sentences, never engine paths.

Over the shipped examples, in every page language: no `ratings.`/`domains.`/`flags.`/`case.` path, no
bare "raised"/"clear", and in Dutch and French none of the English sentence frames.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import spj
from spj.api.web.templating import LANGUAGES
from spj.api.web.viewmodels import build_panel

ROOT = Path(__file__).resolve().parents[2] / "instruments"
EXAMPLES = sorted(ROOT.glob("*/examples/*.assessment.yaml"))
ENGINE_PATH = re.compile(r"\b(ratings|domains|flags|case)\.[A-Za-z_]")
# The panel's own English sentence frames (instrument texts falling back to English are another matter: the
# shipped instruments have no French yet).
ENGLISH_FRAMES = (
    "is rated “",
    "risk indicators rated",
    "protective indicators rated",
    "Signal raised:",
    "Signal not raised:",
    "is omitted (",
    "relevance rated",
)


def _whys(example: Path, lang: str) -> list[str]:
    instrument = spj.load_instrument(example.parents[1] / "instrument.yaml")
    assessment = spj.load_assessment(example, instrument)
    panel = build_panel(instrument, spj.evaluate(instrument, assessment), lang)
    return [why for line in [*panel.flags, *panel.recommended] for why in line.why]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_panel_reasons_are_sentences(example: Path, lang: str) -> None:
    whys = _whys(example, lang)
    assert [w for w in whys if ENGINE_PATH.search(w)] == []
    assert [w for w in whys if re.search(r": (raised|clear)$", w)] == []
    if lang != "en":
        assert [w for w in whys if any(frame in w for frame in ENGLISH_FRAMES)] == []


def test_the_examples_give_reasons_to_check() -> None:
    assert EXAMPLES and any(_whys(example, "en") for example in EXAMPLES)
