"""Collect an inter-rater study from assessments: who rated what, per case, as ordinal ranks.

Several raters (``assessor.id``) assess the same cases (``case.id``) with one
instrument version. Each *item* is an indicator's scale (``SO1.presence``) or a
summary judgement (``judgement.case_priority``). A rating becomes the rank of its
level: scale levels are ordered by their ``value``, judgement levels as the
instrument declares them. An omitted indicator, an unrated scale or a judgement
left open is *missing* — it is never counted as a zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from spj.assessment import Assessment, load_assessment
from spj.authoring.irr.errors import IrrError, irr_problem
from spj.errors import Location, Problem, SpjError
from spj.files.yamlsource import Document, parse_yaml, read_text
from spj.instrument import Instrument


@dataclass(frozen=True, slots=True)
class Item:
    """One thing rated by every rater: an indicator's scale, or a summary judgement."""

    id: str
    kind: Literal["indicator", "judgement"]
    target: str
    scale: str | None
    levels: tuple[str, ...]
    """Level codes in ordinal order (lowest first)."""
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)
    """case id -> rater id -> rank of the level given (index into `levels`)."""


@dataclass(frozen=True, slots=True)
class Study:
    """The ratings of an inter-rater study, item by item."""

    instrument_id: str
    instrument_version: str
    cases: tuple[str, ...]
    raters: tuple[str, ...]
    items: tuple[Item, ...]


def load_study_assessments(instrument: Instrument, paths: Sequence[str | Path]) -> list[Assessment]:
    """Load the study's assessment files; every problem of every file is reported together.

    An assessment made with another instrument or version is refused (`irr-input`)
    before it is validated, so the message says what is wrong with the study.
    """
    problems: list[Problem] = []
    assessments: list[Assessment] = []
    documents: list[Document] = []
    for path in paths:
        try:
            doc = parse_yaml(read_text(path, error=IrrError), file=str(path), error=IrrError)
            ref = doc.data.get("instrument") if isinstance(doc.data, dict) else None
            if isinstance(ref, dict):
                found = (str(ref.get("id")), str(ref.get("version")))
                if found != (instrument.id, instrument.version):
                    problems.append(
                        irr_problem(
                            f"this assessment was made with {found[0]} {found[1]}, not {instrument.id} "
                            f"{instrument.version}; an inter-rater study compares ratings of one instrument "
                            "version: leave it out or migrate it",
                            doc.locate(("instrument",)),
                        )
                    )
                    continue
            assessments.append(load_assessment(path, instrument))
            documents.append(doc)
        except SpjError as exc:
            problems.extend(exc.problems)
    if problems:
        raise IrrError(problems)
    # The study's own checks, located in the files (collect_study only knows the assessments).
    problems = _study_problems(instrument, assessments, lambda n, where: documents[n].locate(where))
    if problems:
        raise IrrError(problems)
    return assessments


def _study_problems(
    instrument: Instrument,
    assessments: Sequence[Assessment],
    locate: Callable[[int, tuple[str, ...]], Location],
) -> list[Problem]:
    """Another instrument version, a rater twice on one case, a case with one rater."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Assessment] = {}
    first_of_case: dict[str, int] = {}
    raters_by_case: dict[str, list[str]] = {}
    for n, assessment in enumerate(assessments):
        ref = assessment.instrument
        if (ref.id, ref.version) != (instrument.id, instrument.version):
            problems.append(
                irr_problem(
                    f"assessment {assessment.id} was made with {ref.id} {ref.version}, not {instrument.id} "
                    f"{instrument.version}; an inter-rater study compares ratings of one instrument version",
                    locate(n, ("instrument",)),
                )
            )
            continue
        key = (assessment.case.id, assessment.assessor.id)
        if key in seen:
            problems.append(
                irr_problem(
                    f"rater {key[1]} assessed case {key[0]} twice ({seen[key].id} and {assessment.id}); "
                    "keep one assessment per rater and case",
                    locate(n, ("assessor", "id")),
                )
            )
            continue
        seen[key] = assessment
        first_of_case.setdefault(assessment.case.id, n)
        raters_by_case.setdefault(assessment.case.id, []).append(assessment.assessor.id)
    for case, raters in raters_by_case.items():
        if len(raters) < 2:
            problems.append(
                irr_problem(
                    f"case {case} was assessed by one rater only ({raters[0]}); every case of an inter-rater "
                    "study needs assessments by at least two raters",
                    locate(first_of_case[case], ("case", "id")),
                )
            )
    return problems


def collect_study(instrument: Instrument, assessments: Sequence[Assessment]) -> Study:
    """Arrange the assessments' ratings by item, case and rater.

    Refused (`IrrError`, code `irr-input`, all problems together): no
    assessments; an assessment of another instrument or version; a rater who
    assessed the same case twice; a case with fewer than two raters.
    """
    if not assessments:
        raise IrrError(irr_problem("no assessments given; an inter-rater study needs at least two per case"))
    problems = _study_problems(instrument, assessments, lambda _n, where: Location(path=where))
    if problems:
        raise IrrError(problems)
    kept = list(assessments)
    cases = tuple(dict.fromkeys(a.case.id for a in kept))
    items = [*_indicator_items(instrument), *_judgement_items(instrument)]
    for assessment in kept:
        _add_ratings(items, assessment)
    return Study(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        cases=cases,
        raters=tuple(sorted({a.assessor.id for a in kept})),
        items=tuple(items),
    )


def _indicator_items(instrument: Instrument) -> list[Item]:
    items = []
    for indicator in instrument.indicators:
        for scale in indicator.rate:
            ordered = sorted(instrument.scales[scale], key=lambda level: level.value)
            items.append(
                Item(
                    id=f"{indicator.id}.{scale}",
                    kind="indicator",
                    target=indicator.id,
                    scale=scale,
                    levels=tuple(level.code for level in ordered),
                )
            )
    return items


def _judgement_items(instrument: Instrument) -> list[Item]:
    return [
        Item(id=f"judgement.{j.id}", kind="judgement", target=j.id, scale=None, levels=j.levels)
        for j in instrument.judgements
    ]


def _add_ratings(items: list[Item], assessment: Assessment) -> None:
    case, rater = assessment.case.id, assessment.assessor.id
    for item in items:
        code: object = None
        if item.kind == "indicator":
            rating = assessment.ratings.get(item.target)
            if rating is not None and not rating.omitted:
                code = rating.codes.get(item.scale or "")
        else:
            entry = assessment.judgements.get(item.target)
            code = entry.level if entry is not None else None
        if isinstance(code, str) and code in item.levels:
            item.ratings.setdefault(case, {})[rater] = item.levels.index(code)
