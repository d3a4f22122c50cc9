"""Render an inter-rater report as JSON or as one self-contained, escaped HTML page."""

from __future__ import annotations

import functools
import json
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from spj.authoring.irr.report import IrrReport

# Inline: the page is small, and needs no file next to an installed package.
_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Inter-rater reliability — {{ r.instrument.id }} {{ r.instrument.version }}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.undefined { color: #777; font-style: italic; }
.mc { color: #555; font-size: smaller; }
.warning { border-left: 4px solid #b60; padding-left: .5em; }
</style>
</head>
<body>
<h1>Inter-rater reliability</h1>
<p>Instrument {{ r.instrument.id }} {{ r.instrument.version }};
{{ r.raters | length }} raters ({{ r.raters | join(", ") }}); {{ r.cases | length }} cases.</p>
{% for w in r.warnings %}<p class="warning"><strong>Warning:</strong> {{ w }}</p>
{% endfor %}
{% macro estimate(e) -%}
{% if e.value is none %}<span class="undefined">undefined: {{ e.reason }}</span>
{%- else %}{{ "%.3f" | format(e.value) }}
{%- if e.ci %} [{{ "%.3f" | format(e.ci[0]) }}, {{ "%.3f" | format(e.ci[1]) }}]
{%- if e.monte_carlo_se is defined %} <span class="mc">(MC error ±{{ "%.3f" | format(e.monte_carlo_se[0]) }},
±{{ "%.3f" | format(e.monte_carlo_se[1]) }})</span>{% endif %}
{%- else %} <span class="undefined">(no interval: {{ e.reason }})</span>{% endif %}{% endif %}
{%- endmacro %}
{% for title, rows in [("Indicators", r.indicators), ("Summary judgements", r.judgements)] if rows %}
<h2>{{ title }}</h2>
<table>
<thead><tr><th>Item</th><th>Pairs</th><th>Agreement</th><th>Kappa, linear</th><th>Kappa, quadratic</th>
<th>Fleiss' kappa</th><th>Alpha, nominal</th><th>Alpha, ordinal</th><th>Alpha, interval</th>
<th>ICC(A,1)</th></tr></thead>
<tbody>
{% for row in rows %}
<tr><td>{{ row.id }}</td><td class="num">{{ row.pairs }}</td>
<td class="num">{% if row.percent_agreement is none %}<span class="undefined">no pairs</span>
{%- else %}{{ "%.1f" | format(row.percent_agreement) }}%{% endif %}</td>
<td>{{ estimate(row.kappa.linear) }}</td><td>{{ estimate(row.kappa.quadratic) }}</td>
<td>{{ estimate(row.fleiss) }}</td><td>{{ estimate(row.alpha_levels.nominal) }}</td>
<td>{{ estimate(row.alpha_levels.ordinal) }}</td><td>{{ estimate(row.alpha_levels.interval) }}</td>
<td>{{ estimate(row.icc) }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if rows[0].pairwise %}
<h3>{{ title }}: kappa of every pair of raters</h3>
<table>
<thead><tr><th>Item</th><th>Raters</th><th>Kappa, linear</th><th>Kappa, quadratic</th></tr></thead>
<tbody>
{% for row in rows %}{% for pair in row.pairwise %}
<tr><td>{{ row.id }}</td><td>{{ pair.raters | join(" – ") }}</td><td>{{ estimate(pair.linear) }}</td>
<td>{{ estimate(pair.quadratic) }}</td></tr>
{% endfor %}{% endfor %}
</tbody>
</table>
{% endif %}
{% endfor %}
<h2>Method</h2>
<ul>
{% for key, text in r.method.items() if key != "bootstrap" %}<li>{{ key }}: {{ text }}</li>
{% endfor %}<li>bootstrap: {{ r.method.bootstrap.resamples }} resamples, seed {{ r.method.bootstrap.seed }};
MC error is the Monte-Carlo standard error of each bound</li>
</ul>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )


def render_irr_json(report: IrrReport) -> str:
    """The report as indented JSON (ends with a newline)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_irr_html(report: IrrReport) -> str:
    """The report as one HTML page: no external resources, every value escaped."""
    data: dict[str, Any] = report.to_dict()
    return _environment().from_string(_TEMPLATE).render(r=data)
