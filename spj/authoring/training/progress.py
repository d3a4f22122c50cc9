"""A trainee's progress over all submitted vignettes: the first attempt of each counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spj.authoring.training.agreement import GroupAgreement, agreement
from spj.authoring.training.feedback import Comparison


@dataclass(frozen=True, slots=True)
class Progress:
    """The vignettes a trainee has submitted, and the agreement over their first attempts."""

    trainee: str
    instrument: tuple[str, str] | None
    """(id, version) the agreement is over; None when nothing was submitted."""
    vignettes: tuple[str, ...]
    attempts: int
    groups: tuple[GroupAgreement, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "trainee": self.trainee,
            "instrument": None
            if self.instrument is None
            else dict(zip(("id", "version"), self.instrument, strict=True)),
            "vignettes": list(self.vignettes),
            "attempts": self.attempts,
            "counted": "the first attempt at each vignette (later ones were made after seeing the reference)",
            "agreement": [g.to_dict() for g in self.groups],
        }


def comparisons_of(entry: dict[str, Any]) -> list[Comparison]:
    """The comparisons a record entry stored (without rationales)."""
    out = []
    for item in entry["items"]:
        name = str(item["item"])
        is_judgement = name.startswith("judgement.")
        target, _, scale = name.partition(".")
        out.append(
            Comparison(
                item=name,
                target=scale if is_judgement else target,
                scale=None if is_judgement else scale,
                levels=tuple(item["levels"]),
                trainee=item["trainee"],
                reference=item["reference"],
                match=item["match"],
                rationale="",
            )
        )
    return out


def progress(trainee: str, entries: Sequence[dict[str, Any]], *, instrument: tuple[str, str] | None = None) -> Progress:
    """Agreement over the first attempt at each vignette (of one instrument version, when given)."""
    first: dict[str, dict[str, Any]] = {}
    kept = [
        e for e in entries if instrument is None or (e["instrument"]["id"], e["instrument"]["version"]) == instrument
    ]
    for entry in kept:
        first.setdefault(entry["vignette"], entry)
    pooled = [(f"{vignette}/{c.item}", c) for vignette, e in first.items() for c in comparisons_of(e)]
    groups = agreement(pooled) if pooled else []
    return Progress(trainee, instrument, tuple(first), len(kept), tuple(groups))


def progress_by_instrument(trainee: str, entries: Sequence[dict[str, Any]]) -> list[Progress]:
    """One `Progress` per instrument version the trainee has trained on, in order of first submission."""
    instruments = dict.fromkeys(_instrument_of(e) for e in entries)
    return [progress(trainee, entries, instrument=i) for i in instruments]


def _instrument_of(entry: dict[str, Any]) -> tuple[str, str]:
    return str(entry["instrument"]["id"]), str(entry["instrument"]["version"])
