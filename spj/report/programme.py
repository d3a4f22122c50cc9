"""The programme figures (`spj.evaluation.programme`) as CSV, JSON or a deterministic SVG chart.

`figures_*` render the figures of one instrument (the CLI's); `sections_csv` and
`sections_json` render several, one section per instrument and version (the
workspace's, where an agency may assess with more than one instrument).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from spj.evaluation.programme import COLUMNS, InterventionFigures
from spj.report.i18n import SOURCE_LANGUAGE, translations_for

SUPPRESSED = "<5"
SUPPRESSION_RULE = "counts from 1 to 4 and medians over fewer than 5 steps are null"
HEADER = ("intervention", *COLUMNS, "median_weeks_to_start", "median_weeks_to_end")
Section = tuple[str, str, list[InterventionFigures]]  # instrument id, instrument version, its figures
_BAR = 18
_WIDTH = 640
_LABEL = 200


def figures_csv(figures: list[InterventionFigures]) -> str:
    """One row per intervention; a suppressed cell reads `<5`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(csv_row(f) for f in figures)
    return out.getvalue()


def csv_row(f: InterventionFigures) -> list[object]:
    """The CSV cells of one intervention: a suppressed count reads `<5`, a suppressed median is empty."""
    return [
        f.id,
        *(SUPPRESSED if f.counts[c] is None else f.counts[c] for c in COLUMNS),
        "" if f.median_weeks_to_start is None else f.median_weeks_to_start,
        "" if f.median_weeks_to_end is None else f.median_weeks_to_end,
    ]


def figures_json(figures: list[InterventionFigures]) -> str:
    """A JSON list; a suppressed cell is null, with the rule stated once."""
    body = {"suppressed": SUPPRESSION_RULE, "interventions": [f.to_dict() for f in figures]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def sections_csv(sections: Sequence[Section]) -> str:
    """Like `figures_csv`, for several instruments: each row starts with the instrument and its version."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["instrument", "instrument_version", *HEADER])
    for instrument_id, version, figures in sections:
        writer.writerows([instrument_id, version, *csv_row(f)] for f in figures)
    return out.getvalue()


def sections_json(sections: Sequence[Section]) -> str:
    """Like `figures_json`, for several instruments: one entry per instrument and version."""
    body = {
        "suppressed": SUPPRESSION_RULE,
        "instruments": [
            {"instrument": i, "instrument_version": v, "interventions": [f.to_dict() for f in figures]}
            for i, v, figures in sections
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# The chart's own words, looked up in the report's catalogs (`spj/report/locale`); the bars it draws, in order.
CHART_TITLE = "Interventions across cases"
CHART_BARS = {"agreed": "Agreed", "started": "Started", "completed": "Completed"}


def figures_svg(
    figures: list[InterventionFigures],
    *,
    title: str | None = None,
    lang: str = SOURCE_LANGUAGE,
    names: Mapping[str, str] | None = None,
) -> str:
    """Bars of agreed, started and completed per intervention; suppressed cells drawn as a hatched `<5`.

    The title, the legend and the bars' labels are in `lang` (English without a
    catalog); `names` gives an intervention's label (its title), else its id.
    """
    words = translations_for(lang).gettext
    title = title if title is not None else words(CHART_TITLE)
    bars = {column: words(label) for column, label in CHART_BARS.items()}
    top = max([v for f in figures for c in bars if (v := f.counts[c]) is not None] + [1])
    scale = (_WIDTH - _LABEL - 60) / top
    rows = _legend(bars)
    y = 46
    for f in figures:
        label = (names or {}).get(f.id, f.id)
        rows.append(f'<text x="4" y="{y + 12}" font-size="12">{escape(label)}</text>')
        for n, (column, word) in enumerate(bars.items()):
            value = f.counts[column]
            yy = y + n * (_BAR // 3 + 2)
            if value is None:
                text = f"{escape(word)} {escape(SUPPRESSED)}"
                rows.append(f'<text x="{_LABEL}" y="{yy + 6}" font-size="9" class="{column}">{text}</text>')
                continue
            width = round(value * scale, 1)
            rows.append(f'<rect x="{_LABEL}" y="{yy}" width="{width}" height="{_BAR // 3}" class="{column}"/>')
            rows.append(f'<text x="{_LABEL + width + 4}" y="{yy + 6}" font-size="9">{value}</text>')
        y += _BAR + 12
    height = y + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}"'
        f' role="img" aria-label="{escape(title)}" lang="{escape(lang)}">\n'
        "<style>.agreed{fill:#5b7fa6}.started{fill:#8a5a00}.completed{fill:#2e7d32}text{font-family:sans-serif}</style>\n"
        f'<text x="4" y="18" font-size="14">{escape(title)}</text>\n' + "\n".join(rows) + "\n</svg>\n"
    )


def _legend(bars: Mapping[str, str]) -> list[str]:
    """A small key under the title: one coloured square and its word per bar."""
    out = []
    x = 4
    for column, word in bars.items():
        out.append(f'<rect x="{x}" y="26" width="10" height="10" class="{column}"/>')
        out.append(f'<text x="{x + 14}" y="35" font-size="10">{escape(word)}</text>')
        x += 120
    return out
