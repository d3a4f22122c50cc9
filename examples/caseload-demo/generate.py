"""Write the synthetic caseload demo: the yearly intake of terrorist offenders of a probation service.

Every case, expert and date here is invented. The yearly intake reproduces the
published figures of the Flemish probation service (7, 23, 24 and 14 cases in
2015 to 2018); nothing else about the cases is real. Each case is a copy of the
shipped example reassessment (`case-0101b`), shifted to its intake date, with a
pseudonymous case id, a category in the common database and a phase drawn from
a fixed cycle, and one of eight invented experts.

    python examples/caseload-demo/generate.py OUT_DIR
    spj stats capacity instruments/disengagement-trajectory/instrument.yaml OUT_DIR/cases/*.yaml \
        --deployment OUT_DIR/deployment.yaml --register OUT_DIR/certifications.jsonl --as-of 2018-12-31

writes `OUT_DIR/cases/*.assessment.yaml`, `OUT_DIR/deployment.yaml` (the example
deployment with each partner's capacity and the caseload per expert) and
`OUT_DIR/certifications.jsonl` (which of the experts are certified).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "instruments" / "disengagement-trajectory" / "examples" / "case-0101b.assessment.yaml"
DEPLOYMENT = ROOT / "examples" / "deployment.example.yaml"
INTAKE = {2015: 7, 2016: 23, 2017: 24, 2018: 14}
EXPERTS = tuple(f"expert-{n:02d}" for n in range(1, 6))
CERTIFIED = EXPERTS[:3]
CATEGORIES = (["convict"], ["ftf_returned", "convict"], ["hate_propagandist", "convict"], ["htf"], ["ftf_left"])
PHASES = ("probation", "detention", "probation", "pre_trial")
CAPACITY = {
    "house-of-justice-example": 60,
    "mental-health-centre-example": 5,
    "social-welfare-centre-example": 12,
    "employment-service-example": 10,
    "theological-project-example": 8,
    "community-organisation-example": 5,
}
CASELOAD_PER_EXPERT = 6


def cases() -> list[dict[str, Any]]:
    """The demo's assessments, one per case, in intake order (deterministic)."""
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    base = dt.date.fromisoformat(template["date"])
    out = []
    n = 0
    for year, count in INTAKE.items():
        for k in range(count):
            day = dt.date(year, 1, 1) + dt.timedelta(days=(k * 365) // count + 3)
            out.append(_case(template, base, day, n, year))
            n += 1
    return out


def _case(template: dict[str, Any], base: dt.date, day: dt.date, n: int, year: int) -> dict[str, Any]:
    shift = day - base
    doc = copy.deepcopy(template)
    doc.pop("previous", None)
    doc["id"] = f"A-DEMO-{n + 1:03d}"
    doc["case"]["id"] = f"DEMO-{year}-{n + 1:03d}"
    doc["case"]["fields"]["status"] = list(CATEGORIES[n % len(CATEGORIES)])
    doc["case"]["fields"]["phase"] = PHASES[n % len(PHASES)]
    doc["assessor"] = {"id": EXPERTS[n % len(EXPERTS)], "agency": "house-of-justice-example"}
    doc["date"] = day.isoformat()
    doc["status"] = "draft" if n % 9 == 4 else "final"
    for source in doc.get("sources", []):
        source["date"] = _shifted(source["date"], shift)
    doc["plan"]["review_date"] = _shifted(doc["plan"]["review_date"], shift)
    return doc


def _shifted(value: Any, shift: dt.timedelta) -> str:
    return (dt.date.fromisoformat(str(value)) + shift).isoformat()


def deployment() -> dict[str, Any]:
    """The example deployment, with each partner's capacity and the caseload per expert."""
    doc = yaml.safe_load(DEPLOYMENT.read_text(encoding="utf-8"))
    for agency in doc["agencies"]:
        if agency["id"] in CAPACITY:
            agency["capacity"] = CAPACITY[agency["id"]]
    doc["planning"] = {"caseload_per_expert": CASELOAD_PER_EXPERT}
    return doc


def certifications() -> list[dict[str, Any]]:
    """The certified experts (register lines, as `spj certify` writes them)."""
    return [
        {
            "expert": expert,
            "instrument": {"id": "disengagement-trajectory", "version": "2.0.0"},
            "date": "2015-01-02",
            "basis": {"demo": True},
        }
        for expert in CERTIFIED
    ]


def write(out: Path) -> list[Path]:
    """Write the demo into `out`; the assessment files written."""
    folder = out / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in cases():
        path = folder / f"{doc['id'].lower()}.assessment.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
    (out / "deployment.yaml").write_text(yaml.safe_dump(deployment(), allow_unicode=True, sort_keys=False), "utf-8")
    lines = (json.dumps(c, sort_keys=True) + "\n" for c in certifications())
    (out / "certifications.jsonl").write_text("".join(lines), encoding="utf-8")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: generate.py OUT_DIR")
    print(f"{len(write(Path(sys.argv[1])))} synthetic cases written to {sys.argv[1]}/cases")
