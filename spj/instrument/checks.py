"""The load-time checks of DESIGN 4.1, all run, all reported together.

Duplicate ids, references (with a did-you-mean), language keys, scale order,
expressions (compiled once here), rule dependencies and the intervention graph
(acyclic, the cycle named). The result is the instrument's index, ready for
evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any

from spj.errors import Code, Problem, RuleError, did_you_mean
from spj.files.yamlsource import Document, PathT
from spj.instrument.conditions import CompiledCondition, compile_conditions
from spj.instrument.index import CompiledIntervention, CompiledRule, InstrumentIndex
from spj.instrument.lint_checks import check_lint_settings
from spj.instrument.migration_checks import check_migrations
from spj.instrument.model import Instrument
from spj.instrument.text import has_translation
from spj.rules import CompiledExpression, Namespace, RuleContext, compile_expression
from spj.rules.hints import syntax_hint
from spj.rules.types import Types, check_types

# Keys a rating uses for itself (spj.assessment.model.Rating); a scale of that name could not be rated.
RESERVED_SCALE_NAMES = frozenset({"omitted", "reason", "evidence", "sources", "note"})
_PROBLEM_CODES = {
    "syntax": Code.RULE_SYNTAX,
    "too-complex": Code.RULE_TOO_COMPLEX,
    "too-costly": Code.RULE_TOO_COSTLY,
    "reference": Code.RULE_REFERENCE,
}


SECTIONS = (
    "domains",
    "indicators",
    "case_fields",
    "rules",
    "interventions",
    "judgements",
    "background",
    "scenario_fields",
)
"""The instrument's lists of items with an id (each id unique within its list)."""


def duplicate_id_problems(data: Any, doc: Document) -> list[Problem]:
    """Duplicate ids in each list of the raw document (checked before the schema)."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return problems
    for section in SECTIONS:
        items = data.get(section)
        if isinstance(items, list):
            problems += _duplicates(items, "id", (section,), doc)
    scales = data.get("scales")
    if isinstance(scales, dict):
        for name, levels in scales.items():
            if isinstance(levels, list):
                problems += _duplicates(levels, "code", ("scales", name), doc)
    return problems


def _duplicates(items: list[Any], key: str, base: PathT, doc: Document) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get(key), str | int):
            continue
        ident = str(item[key])
        if ident in seen:
            first = doc.locate((*base, seen[ident], key))
            problems.append(
                doc.problem(
                    Code.DUPLICATE_ID,
                    f"duplicate {key} {ident!r} in {base[-1]} (first at line {first.line}); ids must be unique",
                    (*base, n, key),
                )
            )
        else:
            seen[ident] = n
    return problems


def check_instrument(instrument: Instrument, doc: Document) -> tuple[InstrumentIndex | None, list[Problem]]:
    """Run every semantic check; the index is None when a problem was found."""
    problems: list[Problem] = []
    problems += _check_scales(instrument, doc)
    problems += _check_languages(instrument, doc)
    problems += _check_references(instrument, doc)
    problems += check_migrations(instrument, doc)
    problems += check_lint_settings(instrument, doc)
    namespace = Namespace(
        indicators={i.id: i.rate for i in instrument.indicators},
        flags=tuple(r.id for r in instrument.rules),
        domains=tuple(d.id for d in instrument.domains),
        case_fields=tuple(f.id for f in instrument.case_fields),
    )
    types = Types(
        scales={
            name: tuple((level.code, level.value) for level in levels) for name, levels in instrument.scales.items()
        },
        indicators=namespace.indicators,
        case_fields={f.id: f.type for f in instrument.case_fields},
        choices={f.id: f.choices for f in instrument.case_fields if f.choices},
    )
    rules: dict[str, CompiledRule] = {}
    for n, rule in enumerate(instrument.rules):
        compiled = _compile(rule.when, ("rules", n, "when"), namespace, types, doc, problems)
        if compiled is not None:
            rules[rule.id] = CompiledRule(rule, compiled, doc.locate(("rules", n, "when")))
    interventions: dict[str, CompiledIntervention] = {}
    for n, iv in enumerate(instrument.interventions):
        path = ("interventions", n, "recommend_when")
        compiled = _compile(iv.recommend_when, path, namespace, types, doc, problems)
        if compiled is not None:
            interventions[iv.id] = CompiledIntervention(iv, compiled, doc.locate(path))
    conditions, condition_order = compile_conditions(
        instrument, doc, lambda source, path: _compile(source, path, namespace, types, doc, problems), problems
    )
    generations = _rule_generations(instrument, rules, doc, problems)
    problems += _intervention_cycles(instrument, doc)
    if problems:
        return None, problems
    index = InstrumentIndex.build(instrument, rules, generations, interventions, conditions, condition_order)
    problems += _probe(instrument, index, doc)
    return (None if problems else index), problems


def _compile(
    source: str, path: PathT, namespace: Namespace, types: Types, doc: Document, problems: list[Problem]
) -> CompiledExpression | None:
    """Compile one expression and check its types; its problems go to `problems` (None if any)."""
    compiled, found = compile_expression(source, namespace)
    for problem in found:
        where = doc.locate_in_scalar(path, problem.offset, source)
        hint = syntax_hint(source, problem.offset) if problem.kind == "syntax" else None
        message = f"{problem.message}; {hint}" if hint else problem.message
        problems.append(Problem(_PROBLEM_CODES[problem.kind], message, where))
    if compiled is None:
        return None
    typed = check_types(compiled.tree, source, types)
    for type_problem in typed:
        where = doc.locate_in_scalar(path, type_problem.offset, source)
        problems.append(Problem(Code(type_problem.code), type_problem.message, where))
    return None if typed else compiled


def _check_scales(instrument: Instrument, doc: Document) -> list[Problem]:
    problems = []
    if "presence" not in instrument.scales:
        problems.append(
            doc.problem(Code.SCHEMA, "a scale named 'presence' is required: domain summaries count it", ("scales",))
        )
    for name, levels in instrument.scales.items():
        if name in RESERVED_SCALE_NAMES:
            problems.append(
                doc.problem(
                    Code.SCHEMA,
                    f"a scale cannot be named {name!r}: a rating uses that key for itself; rename the scale",
                    ("scales", name),
                )
            )
        if len(levels) < 2:
            problems.append(doc.problem(Code.SCHEMA, f"scale {name!r} needs at least two levels", ("scales", name)))
        for n in range(1, len(levels)):
            if levels[n].value <= levels[n - 1].value:
                problems.append(
                    doc.problem(
                        Code.SCHEMA,
                        f"scale {name!r}: values must increase from level to level "
                        f"({levels[n - 1].code}={levels[n - 1].value}, {levels[n].code}={levels[n].value})",
                        ("scales", name, n, "value"),
                    )
                )
    return problems


def instrument_texts(instrument: Instrument) -> Iterable[tuple[PathT, Any]]:
    """Every text of the instrument with its document path (None for an absent optional text)."""
    yield ("title",), instrument.title
    yield ("description",), instrument.description
    for name, levels in instrument.scales.items():
        for n, level in enumerate(levels):
            yield ("scales", name, n, "label"), level.label
            yield ("scales", name, n, "description"), level.description
    for section in SECTIONS:
        for n, item in enumerate(getattr(instrument, section)):
            for key in ("title", "description", "guidance", "message"):
                if key in type(item).model_fields:
                    yield (section, n, key), getattr(item, key)
            for key in ("anchors", "labels"):
                for code, text in (getattr(item, key, None) or {}).items():
                    yield (section, n, key, code), text


def _check_required_languages(instrument: Instrument, doc: Document) -> list[Problem]:
    """Every text in each of `required_languages`; those must be declared."""
    problems = []
    required = instrument.required_languages
    for n, lang in enumerate(required):
        if lang not in instrument.languages:
            problems.append(
                doc.problem(
                    Code.LANGUAGE,
                    f"{lang!r} is required but not declared: add it to languages {list(instrument.languages)}",
                    ("required_languages", n),
                )
            )
    for path, text in instrument_texts(instrument):
        missing = [
            lang for lang in required if lang in instrument.languages and not has_translation(text, lang, instrument)
        ]
        if missing:
            shown = " and ".join(repr(lang) for lang in missing)
            wanted = ", ".join(f"{lang}: ..." for lang in (*_present(text, instrument), *missing))
            problems.append(
                doc.problem(
                    Code.MISSING_TRANSLATION,
                    f"no {shown} text here: write it as {{{wanted}}} "
                    f"(required_languages asks every text in {', '.join(required)})",
                    path,
                )
            )
    return problems


def _present(text: Any, instrument: Instrument) -> list[str]:
    """The languages a text has: a plain string is the default language's."""
    return list(text) if isinstance(text, dict) else [instrument.default_language]


def _check_languages(instrument: Instrument, doc: Document) -> list[Problem]:
    problems = _check_required_languages(instrument, doc)
    declared = set(instrument.languages)
    for path, text in instrument_texts(instrument):
        if isinstance(text, dict):
            for lang in text:
                if lang not in declared:
                    problems.append(
                        doc.problem(
                            Code.LANGUAGE,
                            f"language {lang!r} is not declared in languages {list(instrument.languages)}"
                            + did_you_mean(lang, declared),
                            (*path, lang),
                        )
                    )
    return problems


def _ref(
    value: str, candidates: Sequence[str] | dict[str, Any], what: str, path: PathT, doc: Document
) -> list[Problem]:
    if value in candidates:
        return []
    return [doc.problem(Code.UNRESOLVED_REFERENCE, f"no {what} {value!r}" + did_you_mean(value, candidates), path)]


def _check_references(instrument: Instrument, doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    domains = [d.id for d in instrument.domains]
    scales = instrument.scales
    presence_codes = [level.code for level in scales.get("presence", ())]
    for n, ind in enumerate(instrument.indicators):
        problems += _ref(ind.domain, domains, "domain", ("indicators", n, "domain"), doc)
        for k, scale in enumerate(ind.rate):
            problems += _ref(scale, scales, "scale", ("indicators", n, "rate", k), doc)
        if "presence" in scales and "presence" not in ind.rate:
            problems.append(
                doc.problem(Code.SCHEMA, "every indicator is rated on 'presence'", ("indicators", n, "rate"))
            )
        for code in ind.anchors:
            problems += _ref(code, presence_codes, "presence code", ("indicators", n, "anchors", code), doc)
    for section in ("case_fields", "background", "scenario_fields"):
        for n, field in enumerate(getattr(instrument, section)):
            if field.type == "choice" and not field.choices:
                problems.append(doc.problem(Code.SCHEMA, "a choice field needs choices", (section, n)))
            for code in field.labels:
                # Case fields predate this check: a stray label there stays harmless, as before.
                if section != "case_fields" and field.choices and code not in field.choices:
                    problems += _ref(code, list(field.choices), "choice", (section, n, "labels", code), doc)
    problems += _check_intervention_references(instrument, domains, doc)
    for n, judgement in enumerate(instrument.judgements):
        if len(set(judgement.levels)) != len(judgement.levels):
            problems.append(doc.problem(Code.DUPLICATE_ID, "judgement levels must differ", ("judgements", n, "levels")))
    return problems


def _check_intervention_references(instrument: Instrument, domains: list[str], doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    interventions = [iv.id for iv in instrument.interventions]
    for n, iv in enumerate(instrument.interventions):
        problems += _ref(iv.domain, domains, "domain", ("interventions", n, "domain"), doc)
        for key in ("requires", "after"):
            for k, other in enumerate(getattr(iv, key)):
                problems += _ref(other, interventions, "intervention", ("interventions", n, key, k), doc)
        dependencies = [*iv.requires, *iv.after]
        for other in iv.rationale:
            where = ("interventions", n, "rationale", other)
            problems += _ref(other, dependencies, "dependency (requires/after)", where, doc)
    return problems


def _rule_generations(
    instrument: Instrument, rules: dict[str, CompiledRule], doc: Document, problems: list[Problem]
) -> tuple[tuple[str, ...], ...]:
    """Rules in dependency order: each generation reads only flags of earlier ones."""
    order = {r.id: n for n, r in enumerate(instrument.rules)}
    edges = [
        (flag, rule_id) for rule_id, compiled in rules.items() for flag in compiled.expression.flags if flag in rules
    ]
    generations = _generations(rules, edges)
    if generations is None:
        cycle = _find_cycle(rules, edges, order)
        first = order[cycle[0]]
        problems.append(
            doc.problem(
                Code.CYCLE,
                "rules depend on each other in a cycle: " + " -> ".join([*cycle, cycle[0]]),
                ("rules", first, "when"),
            )
        )
        return ()
    return tuple(tuple(sorted(gen, key=order.__getitem__)) for gen in generations)


def _intervention_cycles(instrument: Instrument, doc: Document) -> list[Problem]:
    order = {iv.id: n for n, iv in enumerate(instrument.interventions)}
    edges = [(other, iv.id) for iv in instrument.interventions for other in (*iv.requires, *iv.after) if other in order]
    if _generations(order, edges) is not None:
        return []
    cycle = _find_cycle(order, edges, order)
    first = min(cycle, key=order.__getitem__)
    return [
        doc.problem(
            Code.CYCLE,
            "interventions depend on each other (requires/after) in a cycle: "
            + " -> ".join([*cycle, cycle[0]])
            + "; remove one of these dependencies",
            ("interventions", order[first]),
        )
    ]


def _generations(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, ...]] | None:
    """Topological generations of the graph (each node after all its predecessors); None if it has a cycle."""
    sorter: TopologicalSorter[str] = TopologicalSorter({node: () for node in nodes})
    for before, after in edges:
        sorter.add(after, before)
    try:
        sorter.prepare()
    except CycleError:
        return None
    out = []
    while sorter.is_active():
        ready = sorter.get_ready()
        out.append(ready)
        sorter.done(*ready)
    return out


def _find_cycle(nodes: Iterable[str], edges: Sequence[tuple[str, str]], order: dict[str, int]) -> list[str]:
    """One cycle, as nodes in dependency order starting from the earliest declared.

    Only for a graph known to have one: networkx names it (the same cycle as always), imported only then.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    nodes_in_cycle = [u for u, _ in nx.find_cycle(graph)]
    start = min(range(len(nodes_in_cycle)), key=lambda i: order[nodes_in_cycle[i]])
    return nodes_in_cycle[start:] + nodes_in_cycle[:start]


def _probe(instrument: Instrument, index: InstrumentIndex, doc: Document) -> list[Problem]:
    """Evaluate every expression once on a fully rated case: catches type errors."""
    bottom = {name: scale.bottom for name, scale in index.scales.items()}
    ratings = {ind.id: {s: bottom[s] for s in ind.rate if s in bottom} for ind in instrument.indicators}
    counts = {"present": 0, "partial": 0, "absent": 0}
    domains = {
        d.id: {"risk": dict(counts), "protective": dict(counts), "rated": 0, "omitted": 0, "high_relevance": 0}
        for d in instrument.domains
    }
    case = {f.id: _sample(f.type, f.choices) for f in instrument.case_fields}
    context = RuleContext(ratings, domains, case)
    flags = {r.id: False for r in instrument.rules}
    problems = []
    targets: list[CompiledRule | CompiledIntervention | CompiledCondition] = [
        *index.rules.values(),
        *index.interventions.values(),
        *index.conditions.values(),
    ]
    for compiled in targets:
        try:
            context.evaluate(compiled.expression, flags, where=compiled.location)
        except RuleError as exc:
            problems += exc.problems
    return problems


def _sample(kind: str, choices: tuple[str, ...]) -> Any:
    return {"choice": choices[0] if choices else "", "integer": 0, "boolean": False}.get(kind, "")
