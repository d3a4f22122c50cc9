"""Report and codebook output, byte for byte: every shipped example, every language, HTML and Markdown.

The digests in `golden/reports.json` pin what the report *says*; a change in how
it is produced (the view, the templates, the environment) must leave them all
unchanged. When the wording is meant to change, review the new output, then
rewrite the digests:

    SPJ_UPDATE_GOLDEN=1 python -m pytest -q -p no:cacheprovider tests/test_report_golden.py

A failing case writes what it rendered to pytest's temporary folder (the path is
in the message), to diff against the output of the commit before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import spj
from spj.assessment.loader import assessment_from_document
from spj.files.yamlsource import parse_yaml
from spj.report import render_report
from spj.report.codebook import render_codebook
from spj.report.i18n import report_languages

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "reports.json"
FORMATS = ("html", "md")

# Every branch of the report templates that the shipped examples may not reach: a third scale, an
# indicator rated absent with evidence, omitted with and without a reason, not yet rated, guidance,
# a case field missing, a prerequisite, ordering, an undetermined step, labelled judgements, a
# scenario with a title, a source without date; markup and Jinja syntax in every user text.
EVERY_BRANCH_INSTRUMENT = """\
format: spj/1
id: every-branch
version: 2.0.1
title: {en: "Every <branch> & more", nl: "Elke <tak>"}
languages: [en, nl]
license: CC0-1.0
citation: "Cite {{ me }}"
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: "Partly <i>", nl: Deels}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: high, value: 2, label: {en: High, nl: Hoog}}
  urgency:
    - {code: later, value: 0, label: {en: Later}}
    - {code: now, value: 1, label: {en: "Now *"}}
domains:
  - {id: social, title: {en: "Social & <network>"}, description: {en: "First | para.\\n\\nSecond [x](y)"}}
  - {id: wellbeing, title: {en: Wellbeing, nl: Welzijn}}
  - {id: empty, title: {en: Nothing here}}
indicators:
  - {id: SO1, domain: social, kind: risk, title: {en: "Peers <b>"}, rate: [presence, relevance, urgency],
     guidance: {en: "Ask the *file*"}}
  - {id: SO2, domain: social, kind: protective, title: {en: Family}}
  - {id: SO3, domain: social, kind: risk, title: {en: "Absent with evidence"}}
  - {id: SO4, domain: social, kind: risk, title: {en: "Bare absent"}}
  - {id: WB1, domain: wellbeing, kind: risk, title: {en: "Trauma {{ 7*7 }}"}, guidance: {en: "Ask <the> GP"}}
  - {id: WB2, domain: wellbeing, kind: risk, title: {en: Routine}, rate: [presence]}
  - {id: WB3, domain: wellbeing, kind: protective, title: {en: Hobbies}}
  - {id: WB4, domain: wellbeing, kind: risk, title: {en: Sleep}, rate: [presence, urgency]}
case_fields:
  - {id: status, type: choice, choices: [ftf, pve], title: {en: Status}, labels: {ftf: {en: "Foreign <fighter>"}}}
  - {id: phase, type: choice, choices: [detention, probation], title: {en: Phase}}
  - {id: note, type: text}
rules:
  - {id: isolation, when: 'ratings.SO2.presence == 0 && ratings.SO1.presence >= 1', severity: concern,
     title: {en: "Isolation <x>"}, message: {en: "Isolated & exposed."}}
  - {id: trauma, when: 'ratings.WB1.presence == 2', severity: critical, message: {en: "Trauma {{ x }}."}}
  - {id: detained, when: 'case.phase == "detention" && ratings.SO1.presence >= 1', severity: info,
     message: {en: Detained.}}
  - {id: routine, when: 'ratings.WB2.presence >= 1 || flags.trauma', severity: concern, message: {en: Routine.}}
  - {id: quiet, when: 'ratings.SO4.presence >= 1', severity: info, message: {en: Never raised.}}
  - {id: domain_count, when: 'domains.social.risk.present + domains.social.risk.partial >= 1', severity: info,
     message: {en: Counted.}}
  - {id: status_flag, when: 'case.status == "ftf"', severity: info, message: {en: Status known.}}
  - {id: broken, when: '100 / (ratings.SO1.presence - 1) > 0', severity: critical,
     message: {en: "Fails <here>."}}
interventions:
  - {id: stabilise, title: {en: "Stabilise <daily> life"}, description: {en: "Para one.\\n\\nPara two *x*"},
     domain: wellbeing, provider: probation, duration_weeks: 4, recommend_when: 'flags.isolation'}
  - {id: trauma_care, title: {en: Trauma care, nl: Traumazorg}, domain: wellbeing, provider: mental-health,
     duration_weeks: 12, recommend_when: 'flags.trauma', requires: [stabilise]}
  - {id: family, title: {en: Family work}, domain: social, provider: social-services, duration_weeks: 6,
     recommend_when: 'ratings.SO2.presence == 0', after: [stabilise]}
  - {id: release, title: {en: Release plan}, domain: social, provider: prison, duration_weeks: 3,
     recommend_when: 'case.phase == "detention"'}
  - {id: routine_help, title: {en: Routine help}, domain: wellbeing, provider: social-services, duration_weeks: 2,
     recommend_when: 'ratings.WB3.presence == 0'}
  - {id: mentor, title: {en: Mentor}, domain: social, provider: ngo, duration_weeks: 8,
     recommend_when: 'case.status == "ftf"', requires: [family, intake]}
  - {id: intake, title: {en: "Intake <first>"}, domain: social, provider: probation, duration_weeks: 1,
     recommend_when: 'ratings.SO4.presence >= 1'}
judgements:
  - {id: priority, title: {en: "Priority <p>"}, levels: [low, high], labels: {high: {en: "High & urgent"}},
     rationale_required: true}
  - {id: review, title: {en: Review}, description: {en: When to review.}, levels: [soon, later]}
  - {id: unset, title: {en: Not given}, levels: [a, b]}
"""

EVERY_BRANCH_ASSESSMENT = """\
format: spj-assessment/1
instrument: {id: every-branch, version: 2.0.1}
id: "A-<1>"
case: {id: "CASE-{{ 1 }}", fields: {status: ftf, note: "free <text>"}}
assessor: {id: u-1, name: "Ann <A.>", agency: "agency & co"}
date: 2026-02-03
status: draft
amends: "A-<0>"
previous: "A-prev"
sources:
  - {id: S1, kind: interview, date: 2026-01-05, description: "Intake <script>alert(1)</script>"}
  - {id: S2, kind: file}
ratings:
  SO1: {presence: "P", relevance: high, urgency: now, sources: [S1, S2], note: "Note\\none\\n\\ntwo",
        evidence: {for: "For <b>1</b>\\n\\n- list? [x](javascript:alert(1))", against: "Against | pipes"}}
  SO2: {presence: "N", relevance: low}
  SO3: {presence: "N", relevance: low, evidence: {against: "Seen once, long ago."}}
  SO4: {presence: "N", relevance: low}
  WB1: {omitted: true, reason: "No <information> yet."}
  WB2: {omitted: true, reason: "-"}
  WB4: {presence: "Y", urgency: later}
formulation: "Formulation <b>bold</b>.\\n\\n1. not a list {{ 7*7 }}"
scenarios:
  - {kind: escalation, title: "Worse <case>", text: "Renewed contact <img src=x onerror=alert(1)>"}
  - {kind: improvement, text: "Work # and family"}
judgements:
  priority: {level: high, rationale: "Because <reasons>.\\n\\nMore."}
  review: {level: soon}
"""


def _example_cases() -> Iterator[tuple[str, Path, Path]]:
    for instrument_path in sorted((ROOT / "instruments").glob("*/instrument.yaml")):
        for example in sorted((instrument_path.parent / "examples").glob("*.assessment.yaml")):
            yield f"{instrument_path.parent.name}/{example.name}", instrument_path, example


def _inline_case_files() -> Iterator[tuple[str, Path, Path]]:
    for instrument_path in sorted((ROOT / "instruments").glob("*/instrument.yaml")):
        for case in sorted((instrument_path.parent / "cases").glob("*.case.yaml")):
            yield f"{instrument_path.parent.name}/cases/{case.name}", instrument_path, case


def _generated() -> object:
    spec = importlib.util.spec_from_file_location("spj_bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Render = Callable[[], str | bytes]


def _renders() -> Iterator[tuple[str, Render]]:
    """(name, render) for every output pinned by the digests."""
    instruments: dict[Path, spj.Instrument] = {}

    def instrument_at(path: Path) -> spj.Instrument:
        if path not in instruments:
            instruments[path] = spj.load_instrument(path)
        return instruments[path]

    def languages(instrument: spj.Instrument) -> list[str]:
        return sorted(set(report_languages()) | set(instrument.languages))

    def report(
        instrument: spj.Instrument,
        assessment: spj.Assessment,
        fmt: str,
        lang: str,
        history: list[tuple[spj.Assessment, spj.Evaluation]] | None = None,
    ) -> Render:
        return lambda: render_report(
            instrument, assessment, spj.evaluate(instrument, assessment), format=fmt, lang=lang, history=history
        )

    examples = list(_example_cases())
    for name, instrument_path, example in examples:
        instrument = instrument_at(instrument_path)
        assessment = spj.load_assessment(example, instrument)
        for lang in languages(instrument):
            for fmt in FORMATS:
                yield f"report {name} {lang} {fmt}", report(instrument, assessment, fmt, lang)
        # An example that names an earlier example of the same case gets the report with its history.
        earlier = []
        for _, other_instrument, other in examples:
            if other_instrument == instrument_path and other != example:
                candidate = spj.load_assessment(other, instrument)
                if candidate.id == assessment.previous:
                    earlier.append((candidate, spj.evaluate(instrument, candidate)))
        if earlier:
            for lang in languages(instrument):
                for fmt in FORMATS:
                    yield f"report+history {name} {lang} {fmt}", report(instrument, assessment, fmt, lang, earlier)

    for name, instrument_path, case in _inline_case_files():
        instrument = instrument_at(instrument_path)
        doc = parse_yaml(case.read_text(encoding="utf-8"), file=str(case))
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get("assessment"), dict):
            continue  # the case names an example, already covered
        assessment = assessment_from_document(doc.within(("assessment",)), instrument)
        for fmt in FORMATS:
            yield f"report {name} en {fmt}", report(instrument, assessment, fmt, "en")

    every = spj.parse_instrument(EVERY_BRANCH_INSTRUMENT)
    every_assessment = spj.parse_assessment(EVERY_BRANCH_ASSESSMENT, every)
    for lang in languages(every):
        for fmt in FORMATS:
            yield f"report every-branch {lang} {fmt}", report(every, every_assessment, fmt, lang)

    generate = _generated()
    big = spj.parse_instrument(generate.instrument_yaml(50))  # type: ignore[attr-defined]
    big_assessment = spj.parse_assessment(generate.assessment_yaml(50), big)  # type: ignore[attr-defined]
    for lang in ("en", "nl"):
        for fmt in FORMATS:
            yield f"report generated-50 {lang} {fmt}", report(big, big_assessment, fmt, lang)

    for instrument_path in sorted((ROOT / "instruments").glob("*/instrument.yaml")):
        instrument = instrument_at(instrument_path)
        for lang in languages(instrument):
            for fmt in FORMATS:
                yield (
                    f"codebook {instrument_path.parent.name} {lang} {fmt}",
                    lambda i=instrument, f=fmt, la=lang: render_codebook(i, format=f, lang=la),
                )


RENDERS = dict(_renders())


def _digest(output: str | bytes) -> str:
    data = output.encode("utf-8") if isinstance(output, str) else output
    return hashlib.sha256(data).hexdigest()


def test_golden_digests_cover_exactly_the_renders() -> None:
    if os.environ.get("SPJ_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        digests = {name: _digest(render()) for name, render in RENDERS.items()}
        GOLDEN.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert sorted(json.loads(GOLDEN.read_text(encoding="utf-8"))) == sorted(RENDERS)


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_output_is_byte_identical_to_the_golden_digest(name: str, tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8")).get(name)
    output = RENDERS[name]()
    if _digest(output) != expected:
        written = tmp_path / (name.replace("/", "_").replace(" ", "_") + ".out")
        written.write_bytes(output.encode("utf-8") if isinstance(output, str) else output)
        pytest.fail(f"{name}: the output changed; it is in {written}")
