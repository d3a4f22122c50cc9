"""How long WeasyPrint takes for the PDF report of an assessment, by the assessment's size.

The shipped example (`disengagement-trajectory`, case-0101) with its evidence
texts padded (synthetic sentences) until its JSON reaches each size; each PDF
is made once, in this process, as a PDF worker makes it (`spj.service.limiter`).

    python benchmarks/pdf_size.py              # 25, 100, 250, 500 KB
    python benchmarks/pdf_size.py 1000 1500    # other sizes, in KB
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import spj
from spj.assessment import assessment_from_data
from spj.files.yamlsource import parse_yaml, read_text
from spj.report.pdf import html_to_pdf

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "instruments" / "disengagement-trajectory"
SENTENCE = (
    "The person describes daily life since release in some detail and names the people around them; "
    "collateral information from the file agrees in broad lines, some dates differ. "
)


def padded(data: dict[str, Any], target_bytes: int) -> dict[str, Any]:
    """`data` with every rating's evidence lengthened until the JSON is about `target_bytes` long."""
    ratings = [r for r in data["ratings"].values() if isinstance(r, dict) and not r.get("omitted")]
    size = len(json.dumps(data, ensure_ascii=False).encode())
    per_rating = max(0, (target_bytes - size) // max(1, len(ratings)))
    text = (SENTENCE * (per_rating // len(SENTENCE) + 1))[:per_rating]
    for rating in ratings:
        rating.setdefault("evidence", {})["for"] = text
    return data


def main(sizes_kb: list[int]) -> None:
    instrument = spj.load_instrument(next(FOLDER.glob("*.yaml")))
    example = FOLDER / "examples" / "case-0101.assessment.yaml"
    html_to_pdf("<p>warm-up</p>")
    print(f"{'JSON KB':>8} {'HTML KB':>8} {'PDF KB':>8} {'seconds':>8}")
    for kb in sizes_kb:
        data = padded(parse_yaml(read_text(example, error=spj.SpjError), error=spj.SpjError).data, kb * 1024)
        assessment = assessment_from_data(data, instrument)
        evaluation = spj.evaluate(instrument, assessment)
        html = spj.render_report(instrument, assessment, evaluation, format="html")
        assert isinstance(html, str)
        started = time.perf_counter()
        pdf = html_to_pdf(html)
        seconds = time.perf_counter() - started
        size = len(json.dumps(data, ensure_ascii=False).encode()) // 1024
        print(f"{size:>8} {len(html.encode()) // 1024:>8} {len(pdf) // 1024:>8} {seconds:>8.1f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [25, 100, 250, 500])
