"""Synthetic instruments and assessments for benchmarks, as YAML text.

An instrument of N indicators has about N/8 domains (at least 1), N/5 rules
(some reading earlier rules' flags, so rule generations are non-trivial) and
N/10 interventions whose `requires`/`after` only name earlier interventions
(so the graph is acyclic). Everything is deterministic for a given (N, seed).

    python benchmarks/generate.py 500 > /tmp/i500.yaml
    python benchmarks/generate.py 500 --assessment > /tmp/a500.yaml
"""

from __future__ import annotations

import json
import random
import sys

SCALES = """\
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partially present, nl: Gedeeltelijk aanwezig}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low, nl: Laag}}
    - {code: moderate, value: 1, label: {en: Moderate, nl: Matig}}
    - {code: high, value: 2, label: {en: High, nl: Hoog}}
"""
PRESENCE = ("N", "P", "Y")
RELEVANCE = ("low", "moderate", "high")
LOREM = (
    "The person describes daily life since release in some detail and names the people around them. "
    "Collateral information from the file agrees in broad lines; some dates differ."
)


def shape(n: int) -> dict[str, int]:
    """How many domains, rules and interventions an instrument of `n` indicators gets."""
    return {
        "indicators": n,
        "domains": max(1, n // 8),
        "rules": max(1, n // 5),
        "interventions": max(1, n // 10),
    }


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def instrument_yaml(n: int, *, seed: int = 1) -> str:
    """An instrument of `n` indicators (YAML text), id `bench-<n>`."""
    rnd = random.Random(seed)
    s = shape(n)
    ind_ids = [f"I{k}" for k in range(n)]
    dom_ids = [f"d{k}" for k in range(s["domains"])]
    dom_of = {ind: dom_ids[k * s["domains"] // n] for k, ind in enumerate(ind_ids)}
    out = [
        "format: spj/1",
        f"id: bench-{n}",
        "version: 1.0.0",
        f"title: {{en: Benchmark instrument of {n} indicators, nl: Benchmarkinstrument}}",
        f"description: {{en: {_q('Synthetic, generated for benchmarks. ' + LOREM)}}}",
        "languages: [en, nl]",
        "license: CC0-1.0",
        SCALES.rstrip("\n"),
        "domains:",
    ]
    for d in dom_ids:
        out.append(f"  - {{id: {d}, title: {{en: Domain {d}, nl: Domein {d}}}, description: {{en: {_q(LOREM)}}}}}")
    out.append("indicators:")
    for k, ind in enumerate(ind_ids):
        kind = "protective" if k % 4 == 3 else "risk"
        out += [
            f"  - id: {ind}",
            f"    domain: {dom_of[ind]}",
            f"    kind: {kind}",
            f"    title: {{en: Indicator {ind}, nl: Indicator {ind}}}",
            f"    guidance: {{en: {_q('Rate from interviews and the file. ' + LOREM)}}}",
            "    anchors: {'N': {en: Not seen}, 'Y': {en: Clearly and repeatedly seen}}",
            "    rate: [presence, relevance]",
        ]
    out += [
        "case_fields:",
        "  - {id: status, type: choice, choices: [ftf, htf, hate_propagandist, pve, convict]}",
        "  - {id: phase, type: choice, choices: [pre_trial, detention, probation]}",
        "omission: {max_omitted_ratio: 0.25}",
        "rules:",
    ]
    rule_ids = [f"r{k}" for k in range(s["rules"])]
    for k, rid in enumerate(rule_ids):
        a, b = rnd.sample(ind_ids, 2) if n > 1 else (ind_ids[0], ind_ids[0])
        parts = [f"ratings.{a}.presence >= 1", f"ratings.{b}.relevance == 2"]
        if k % 3 == 1:
            parts.append(f"domains.{dom_of[a]}.risk.present >= 2")
        if k % 5 == 2:
            parts.append('case.phase == "probation"')
        expr = " && ".join(parts[:2])
        if len(parts) > 2:
            expr = f"({expr}) || {parts[2]}"
        if k > 0 and k % 2 == 0:
            expr = f"flags.{rule_ids[rnd.randrange(k)]} || ({expr})"
        sev = ("info", "concern", "critical")[k % 3]
        out += [
            f"  - id: {rid}",
            f"    when: {_q(expr)}",
            f"    severity: {sev}",
            f"    message: {{en: {_q(f'Rule {rid} applies.')}, nl: {_q(f'Regel {rid} is van toepassing.')}}}",
        ]
    out.append("interventions:")
    iv_ids = [f"iv{k}" for k in range(s["interventions"])]
    for k, iv in enumerate(iv_ids):
        a = rnd.choice(ind_ids)
        expr = f"flags.{rnd.choice(rule_ids)} || ratings.{a}.presence == 2"
        requires = rnd.sample(iv_ids[:k], 1) if k and k % 3 == 0 else []
        after = rnd.sample(iv_ids[:k], min(k, 2)) if k and k % 2 == 1 else []
        after = [x for x in after if x not in requires]
        out += [
            f"  - id: {iv}",
            f"    title: {{en: Intervention {iv}, nl: Interventie {iv}}}",
            f"    description: {{en: {_q(LOREM)}}}",
            f"    domain: {dom_of[a]}",
            f"    provider: partner-{k % 7}",
            f"    duration_weeks: {4 + (k * 7) % 13}",
            f"    recommend_when: {_q(expr)}",
            f"    requires: [{', '.join(requires)}]",
            f"    after: [{', '.join(after)}]",
        ]
    out += [
        "judgements:",
        "  - {id: case_priority, title: {en: Case priority}, levels: [low, moderate, high], rationale_required: true}",
    ]
    return "\n".join(out) + "\n"


def assessment_yaml(n: int, *, seed: int = 2, omit_every: int = 10) -> str:
    """A final assessment of `instrument_yaml(n)`: every indicator rated with evidence, 1 in `omit_every` omitted."""
    rnd = random.Random(seed)
    out = [
        "format: spj-assessment/1",
        f"instrument: {{id: bench-{n}, version: 1.0.0}}",
        f"id: A-BENCH-{n}",
        "case: {id: CASE-BENCH, fields: {status: convict, phase: probation}}",
        "assessor: {id: u-17, agency: house-of-justice-example}",
        "date: 2026-10-14",
        "status: final",
        "sources:",
        f"  - {{id: S1, kind: interview, date: 2026-09-22, description: {_q(LOREM)}}}",
        f"  - {{id: S2, kind: file-review, date: 2026-09-15, description: {_q(LOREM)}}}",
        "ratings:",
    ]
    for k in range(n):
        if omit_every and k % omit_every == omit_every - 1:
            out += [f"  I{k}:", "    omitted: true", "    reason: no information yet"]
            continue
        out += [
            f"  I{k}:",
            f'    presence: "{rnd.choice(PRESENCE)}"',
            f"    relevance: {rnd.choice(RELEVANCE)}",
            "    evidence:",
            f"      for: {_q(LOREM)}",
            "      against: He keeps his appointments and talks openly about it.",
            "    sources: [S1, S2]",
        ]
    out += [
        f"formulation: {_q(LOREM)}",
        "scenarios:",
        f"  - {{kind: escalation, text: {_q(LOREM)}}}",
        "judgements:",
        "  case_priority: {level: moderate, rationale: Several risk indicators with high relevance.}",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sys.stdout.write(assessment_yaml(size) if "--assessment" in sys.argv else instrument_yaml(size))
