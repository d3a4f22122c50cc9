"""Evaluate an assessment: completeness, life-area summaries, flags, recommendations, plan.

A pure function of (instrument, assessment): deterministic, no I/O. It never
computes a summary judgement; those are the expert's.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from spj.assessment import Assessment
from spj.assessment.validate import case_value
from spj.errors import Location, RuleError
from spj.evaluation.agreed import build_agreed_plan
from spj.evaluation.plan import build_plan
from spj.evaluation.results import (
    Completeness,
    Counts,
    DomainSummary,
    Evaluation,
    FlagResult,
    Reason,
    Recommendation,
    Ref,
)
from spj.instrument import Instrument, index_of
from spj.instrument.applicability import NOTHING_CONDITIONED, Applicability, decide_over_values
from spj.instrument.index import InstrumentIndex
from spj.rules import Budget, CompiledExpression, RuleContext, evaluate_with, variables_for

NOT_APPLICABLE = "not_applicable"
"""The status of an indicator whose `applies_when` is false: not asked, neither missing nor false."""
_WORDS = {NOT_APPLICABLE: "not applicable"}


def evaluate(instrument: Instrument, assessment: Assessment, *, budget: Budget | None = None) -> Evaluation:
    """Evaluate `assessment` (already validated against `instrument`).

    The rules draw on `budget` (by default `spj.rules.Budget()`): what it cannot
    afford is unknown, with the reason in `error`.

    >>> # evaluation = evaluate(instrument, assessment); evaluation.to_dict()["flags"]
    """
    index = index_of(instrument)
    ratings, codes, status = _rating_values(instrument, assessment, index)
    case = {name: case_value(index.case_fields.get(name), value) for name, value in assessment.case.fields.items()}
    applicability = decide_over_values(index, ratings, case)
    _set_aside(applicability, ratings, codes, status)
    completeness = _completeness(instrument, status, conditional=bool(index.conditions))
    domains = _domain_summaries(instrument, index, ratings, status)
    read_ratings = {
        i: {s: values[s] for s in scales if s in values}
        for i, scales in index.read_ratings.items()
        if (values := ratings.get(i)) is not None
    }
    read_domains = {d: domains[d].to_dict() for d in index.read_domains}
    context = RuleContext(read_ratings, read_domains, case, budget=budget)
    explainer = _Explainer(index, ratings, codes, status, read_domains, case, context.budget, applicability)

    known: dict[str, bool] = {}
    results: dict[str, FlagResult] = {}
    for generation in index.rule_generations:
        for rule_id in generation:
            compiled = index.rules[rule_id]
            value, error = _decide(context, compiled.expression, known, compiled.location)
            because, missing, missing_case = explainer.explain(compiled.expression, value, known, results)
            if value is not None:
                known[rule_id] = value
            results[rule_id] = FlagResult(
                id=rule_id,
                status="unknown" if value is None else ("raised" if value else "clear"),
                severity=compiled.rule.severity,
                rule=compiled.expression.source,
                because=because,
                missing=missing,
                missing_case_fields=missing_case,
                error=error,
            )
    rule_results = tuple(results[r.id] for r in instrument.rules)

    recommendations: dict[str, Recommendation] = {}
    for iv_id, compiled_iv in index.interventions.items():
        value, error = _decide(context, compiled_iv.expression, known, compiled_iv.location)
        because, missing, missing_case = explainer.explain(compiled_iv.expression, value, known, results)
        recommendations[iv_id] = Recommendation(
            id=iv_id,
            value=value,
            rule=compiled_iv.expression.source,
            because=because,
            missing=missing,
            missing_case_fields=missing_case,
            error=error,
        )
    plan = build_plan(instrument, [i for i, r in recommendations.items() if r.value], recommendations)
    return Evaluation(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_sha256=instrument.sha256,
        assessment_id=assessment.id,
        case_id=assessment.case.id,
        status=assessment.status,
        completeness=completeness,
        domains=domains,
        rule_results=rule_results,
        recommendations=recommendations,
        plan=plan,
        indicator_status=status,
        applicability=applicability,
        agreed_plan=build_agreed_plan(instrument, assessment, plan),
    )


def _decide(
    context: RuleContext, expression: CompiledExpression, known: dict[str, bool], where: Location
) -> tuple[bool | None, str | None]:
    """The expression's value, or (None, why) when it fails on this assessment.

    An instrument's expression may fail only on some assessments (a division by a
    count that is zero here): that result is unknown, with the reason, rather than
    the whole evaluation lost.
    """
    try:
        return context.evaluate(expression, known, where=where), None
    except RuleError as exc:
        return None, "; ".join(f"{p.code.value}: {p.message}" for p in exc.problems)


def _rating_values(
    instrument: Instrument, assessment: Assessment, index: InstrumentIndex
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]], dict[str, str]]:
    """Values rules see, the codes behind them, and each indicator's status.

    Status is "rated" (presence given), "omitted", or "unrated" (neither yet).
    """
    ratings: dict[str, dict[str, int]] = {}
    codes: dict[str, dict[str, str]] = {}
    status: dict[str, str] = {}
    value_of = {
        name: {code: level.value for code, level in scale.by_code.items()} for name, scale in index.scales.items()
    }
    given_ratings = assessment.ratings
    for indicator_id in index.indicators:
        rating = given_ratings.get(indicator_id)
        if rating is None:
            status[indicator_id] = "unrated"
            continue
        if rating.omitted:
            status[indicator_id] = "omitted"
            continue
        given = rating.codes
        values = {scale: value_of[scale][code] for scale, code in given.items()}
        if values:
            ratings[indicator_id] = values
            codes[indicator_id] = given
        status[indicator_id] = "rated" if "presence" in values else "unrated"
    return ratings, codes, status


def _set_aside(
    applicability: Applicability,
    ratings: dict[str, dict[str, int]],
    codes: dict[str, dict[str, str]],
    status: dict[str, str],
) -> None:
    """Drop what is given for items that do not apply: rules see them absent, completeness does not count them."""
    for indicator, scale in applicability.not_applicable:
        if scale is None:
            ratings.pop(indicator, None)
            codes.pop(indicator, None)
            status[indicator] = NOT_APPLICABLE
        else:
            ratings.get(indicator, {}).pop(scale, None)
            codes.get(indicator, {}).pop(scale, None)


def _completeness(instrument: Instrument, status: dict[str, str], *, conditional: bool) -> Completeness:
    not_applicable = sum(1 for s in status.values() if s == NOT_APPLICABLE)
    total = len(instrument.indicators) - not_applicable  # an indicator that does not apply is not asked
    rated = sum(1 for s in status.values() if s == "rated")
    omitted = sum(1 for s in status.values() if s == "omitted")
    unrated = total - rated - omitted
    ratio = round(omitted / total, 4) if total else 0.0
    limit = instrument.omission.max_omitted_ratio
    # DESIGN 4.1: sufficient when omitted_ratio <= max_omitted_ratio; `complete` says whether any is still unrated.
    sufficient = omitted / total <= limit if total else True
    return Completeness(
        total, rated, omitted, unrated, ratio, sufficient, limit, not_applicable if conditional else None
    )


def _domain_summaries(
    instrument: Instrument,
    index: InstrumentIndex,
    ratings: dict[str, dict[str, int]],
    status: dict[str, str],
) -> dict[str, DomainSummary]:
    presence = index.scales["presence"]
    top, bottom = presence.top, presence.bottom
    relevance = index.scales.get("relevance")
    relevant = relevance.top if relevance is not None else None
    tallies: dict[str, dict[str, Any]] = {
        d.id: {"risk": [0, 0, 0], "protective": [0, 0, 0], "rated": 0, "omitted": 0, "unrated": 0, "high": 0}
        for d in instrument.domains
    }
    for indicator in instrument.indicators:
        tally = tallies[indicator.domain]
        state = status[indicator.id]
        if state == NOT_APPLICABLE:
            continue
        if state != "rated":
            tally[state] += 1
            continue
        tally["rated"] += 1
        values = ratings[indicator.id]
        value = values["presence"]
        slot = 0 if value == top else (2 if value == bottom else 1)
        tally[indicator.kind][slot] += 1
        if relevant is not None and values.get("relevance") == relevant:
            tally["high"] += 1
    return {
        domain_id: DomainSummary(
            id=domain_id,
            risk=Counts(*t["risk"]),
            protective=Counts(*t["protective"]),
            rated=t["rated"],
            omitted=t["omitted"],
            unrated=t["unrated"],
            high_relevance=t["high"],
        )
        for domain_id, t in tallies.items()
    }


class _Read:
    """One path an expression reads, with the reasons it has given (a `Reason` is a value: one per outcome)."""

    __slots__ = ("_reasons", "head", "ref", "rest", "root")

    def __init__(self, root: str, parts: tuple[str, ...]) -> None:
        self.ref = Ref(root, parts)
        self.root = root
        self.head = parts[0] if parts else ""
        self.rest = parts[1:]
        self._reasons: dict[tuple[type, Any, str | None, str | None], Reason] = {}

    def reason(self, value: Any, code: str | None = None, status: str | None = None) -> Reason:
        """`Reason(self.ref, value, code, status)`, the same object for the same outcome."""
        key = (type(value), value, code, status)  # with its type: True and 1 are equal keys
        try:
            return self._reasons[key]
        except KeyError:
            made = Reason(self.ref, value, code=code, status=status)
            if len(self._reasons) < _REASONS_KEPT:  # case facts are free text: keep a few outcomes only
                self._reasons[key] = made
            return made
        except TypeError:  # an unhashable value (a domain's counts read whole)
            return Reason(self.ref, value, code=code, status=status)


_REASONS_KEPT = 64
_READS: dict[str, tuple[_Read, ...]] = {}
_READS_KEPT = 65_536  # distinct expressions remembered; a server loading many instruments starts again past it


def _reads(expression: CompiledExpression) -> tuple[_Read, ...]:
    """Each path `expression` reads, once, in order of first use.

    Kept by source text (an expression's references follow from its text), so
    an instrument's evaluations build them once.
    """
    reads = _READS.get(expression.source)
    if reads is None:
        unique = dict.fromkeys((read.root, read.parts) for read in expression.references)
        reads = tuple(_Read(root, parts) for root, parts in unique)
        if len(_READS) >= _READS_KEPT:
            _READS.clear()
        _READS[expression.source] = reads
    return reads


class _Explainer:
    """Says which values an expression read and, for an unknown result, what was missing.

    `missing` lists the omitted (or not yet rated) indicators that made a result
    unknown, resolved through unknown flags. An absent value counts only if
    knowing it alone could decide the result: in `flags.a && (flags.b || ratings.X.presence == 2)`
    with `flags.b` true, X does not matter. When no single value decides it
    (`ratings.A.presence + ratings.B.presence >= 2`), every absent value counts.
    """

    def __init__(
        self,
        index: InstrumentIndex,
        ratings: dict[str, dict[str, int]],
        codes: dict[str, dict[str, str]],
        status: dict[str, str],
        domains: dict[str, Any],
        case: dict[str, Any],
        budget: Budget,
        applicability: Applicability = NOTHING_CONDITIONED,
    ) -> None:
        self.index = index
        self.applicability = applicability
        self.budget = budget
        self.ratings = ratings
        self.codes = codes
        self.status = status
        self.domains = domains
        self.case = case

    @functools.cached_property
    def order(self) -> dict[str, int]:
        """Each indicator's place in the instrument (for unknown results only)."""
        return {ind: n for n, ind in enumerate(self.status)}

    def explain(
        self,
        expression: CompiledExpression,
        value: bool | None,
        known: dict[str, bool],
        results: dict[str, FlagResult],
    ) -> tuple[tuple[Reason, ...], tuple[str, ...], tuple[str, ...]]:
        reasons: list[Reason] = []
        absent: dict[str, set[str]] = {}  # indicator -> scales read but absent
        unknown_flags: list[str] = []
        missing_case: set[str] = set()
        for read in _reads(expression):
            root, head = read.root, read.head
            if root == "ratings":
                reasons.append(self._rating(read, absent))
            elif root == "flags":
                flag = known.get(head)
                reasons.append(read.reason(flag, status=None if flag is not None else "unknown"))
                if flag is None:
                    unknown_flags.append(head)
            elif root == "case":
                if head in self.case:
                    reasons.append(read.reason(self.case[head]))
                else:
                    reasons.append(read.reason(None, status="not given"))
                    missing_case.add(head)
            else:
                node: Any = self.domains.get(head)
                for part in read.rest:
                    node = node.get(part) if isinstance(node, dict) else None
                reasons.append(read.reason(node))
        if value is not None:
            return tuple(reasons), (), ()
        missing, missing_fields = self._missing(expression, known, results, absent, unknown_flags, missing_case)
        return tuple(reasons), missing, missing_fields

    def _rating(self, read: _Read, absent: dict[str, set[str]]) -> Reason:
        indicator = read.head
        values = self.ratings.get(indicator)
        if not read.rest:
            state = self.status[indicator]
            return read.reason(values is not None, status=None if values is not None else _WORDS.get(state, state))
        scale = read.rest[0]
        if self.applicability.applies(indicator, scale) is False:
            return read.reason(None, status="not applicable")  # neither missing nor false: not asked
        if values is None or scale not in values:
            absent.setdefault(indicator, set()).add(scale)
            return read.reason(None, status=self.status[indicator] if values is None else "not rated")
        return read.reason(values[scale], code=self.codes[indicator][scale])

    def _missing(
        self,
        expression: CompiledExpression,
        known: dict[str, bool],
        results: dict[str, FlagResult],
        absent: dict[str, set[str]],
        unknown_flags: list[str],
        missing_case: set[str],
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        base = variables_for(expression, self.ratings, self.domains, self.case, known)
        base.setdefault("ratings", {})
        base.setdefault("flags", {})
        deciding_indicators = [i for i in absent if self._decides_rating(expression, base, i, absent[i])]
        deciding_flags = [f for f in unknown_flags if self._decides_flag(expression, base, f)]
        if not deciding_indicators and not deciding_flags:
            deciding_indicators, deciding_flags = list(absent), unknown_flags
        missing = set(deciding_indicators)
        for flag in deciding_flags:
            if flag in results:
                missing.update(results[flag].missing)
                missing_case.update(results[flag].missing_case_fields)
        ordered = tuple(sorted(missing, key=lambda i: self.order.get(i, len(self.order))))
        return ordered, tuple(sorted(missing_case))

    def _decides_rating(
        self, expression: CompiledExpression, base: dict[str, Any], indicator: str, scales: set[str]
    ) -> bool:
        given = self.ratings.get(indicator, {})
        options = [[(s, level.value) for level in self.index.scales[s].levels] for s in sorted(scales)]
        for combination in itertools.product(*options):
            ratings = {**base["ratings"], indicator: {**given, **dict(combination)}}
            if evaluate_with(expression, {**base, "ratings": ratings}, budget=self.budget) is not None:
                return True
        return False

    def _decides_flag(self, expression: CompiledExpression, base: dict[str, Any], flag: str) -> bool:
        return any(
            evaluate_with(expression, {**base, "flags": {**base["flags"], flag: guess}}, budget=self.budget) is not None
            for guess in (True, False)
        )
