"""The rule language wrapper: spj.rules (compile, references, evaluate with unknowns)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spj import RuleError
from spj.rules import Namespace, RuleContext, compile_expression

NS = Namespace(
    indicators={"SO1": ("presence", "relevance"), "SO2": ("presence",), "WB1": ("presence", "relevance")},
    flags=("f1", "f2"),
    domains=("social", "wellbeing"),
    case_fields=("status", "age"),
)


def compiled(source):
    result, problems = compile_expression(source, NS)
    assert problems == [], problems
    assert result is not None
    return result


def context(ratings=None, flags=None, case=None):
    counts = {"present": 1, "partial": 0, "absent": 2}
    domains = {
        d: {"risk": dict(counts), "protective": dict(counts), "rated": 3, "omitted": 0, "high_relevance": 0}
        for d in NS.domains
    }
    ctx = RuleContext(ratings if ratings is not None else {"SO1": {"presence": 1, "relevance": 2}}, domains, case or {})
    ctx.set_flags(flags or {})
    return ctx


@pytest.mark.parametrize(
    ("source", "ratings", "flags", "case_fields", "dotted"),
    [
        ("ratings.SO1.presence >= 1", ("SO1",), (), (), ["ratings.SO1.presence"]),
        (
            "ratings.SO1.presence > 0 && ratings.WB1.relevance == 2 && ratings.SO1.relevance < 1",
            ("SO1", "WB1"),
            (),
            (),
            ["ratings.SO1.presence", "ratings.WB1.relevance", "ratings.SO1.relevance"],
        ),
        ("flags.f1 || !flags.f2", (), ("f1", "f2"), (), ["flags.f1", "flags.f2"]),
        ("domains.social.risk.present > 0", (), (), (), ["domains.social.risk.present"]),
        ("domains.wellbeing.high_relevance > 1", (), (), (), ["domains.wellbeing.high_relevance"]),
        ('case.status == "a" && case.age > 17', (), (), ("status", "age"), ["case.status", "case.age"]),
        ("has(ratings.SO1.presence)", ("SO1",), (), (), ["ratings.SO1.presence"]),
        ("[1, 2].all(x, x > 0)", (), (), (), []),
        ("'ratings.SO9' == 'x'", (), (), (), []),  # a string is not a reference
    ],
)
def test_references_are_extracted(source, ratings, flags, case_fields, dotted):
    expression = compiled(source)
    assert expression.ratings == ratings
    assert expression.flags == flags
    assert expression.case_fields == case_fields
    assert [r.dotted for r in expression.references] == dotted


@pytest.mark.parametrize(
    ("source", "kind", "text"),
    [
        ('ratings["SO1"].presence > 0', "reference", "ratings.NAME"),
        ("size(ratings) > 0", "reference", "ratings.NAME"),
        ('ratings.exists(k, k == "SO1")', "reference", "ratings.NAME"),
        ('flags["f1"]', "reference", "flags.NAME"),
        ('case["status"] == "a"', "reference", "case.NAME"),
        ("ratings.SO9.presence > 0", "reference", "no indicator 'SO9'"),
        ("ratings.SO2.relevance > 0", "reference", "SO2 is rated on presence"),
        ("ratings.SO1.presence.x > 0", "reference", "no fields"),
        ("flags.f3", "reference", "no rule 'f3'"),
        ("flags.f1.x", "reference", "no fields"),
        ("domains.work.rated > 0", "reference", "no domain 'work'"),
        ("domains.social.risky.present > 0", "reference", "did you mean 'risk'"),
        ("domains.social.rated.x > 0", "reference", "no fields"),
        ("domains.social.risk.present.x > 0", "reference", "no fields"),
        ("case.colour == 'x'", "reference", "no case field"),
        ("x > 0", "reference", "unknown name 'x'"),
        ("rating.SO1.presence > 0", "reference", "did you mean 'ratings'"),
        ("ratings.SO1.presence >=", "syntax", ""),
        ("'unterminated", "syntax", ""),
        ("1 # 2", "syntax", "unexpected character"),
        ("(" * 13 + "true" + ")" * 13, "too-complex", "nested"),
        ("true || " * 300 + "true", "too-complex", "longer"),
    ],
)
def test_refused_expressions(source, kind, text):
    result, problems = compile_expression(source, NS)
    assert result is None
    assert problems, source
    assert problems[0].kind == kind
    assert text in problems[0].message


def test_syntax_problem_offset_points_at_the_fault():
    _, [problem] = compile_expression("ratings.SO1.presence >= ", NS)
    assert problem.offset == len("ratings.SO1.presence >= ")
    _, [problem] = compile_expression("true && ratings.SO9.presence > 0", NS)
    assert problem.offset == len("true && ")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # absent ratings: unknown, unless && / || decide without them
        ("true || ratings.SO2.presence > 0", True),
        ("ratings.SO2.presence > 0 || true", True),
        ("false && ratings.SO2.presence > 0", False),
        ("ratings.SO2.presence > 0 && false", False),
        ("ratings.SO2.presence == 0", None),
        ("ratings.SO2.presence != 0", None),
        ("!(ratings.SO2.presence > 0)", None),
        ("ratings.SO2.presence > 0 || false", None),
        ("ratings.SO2.presence > 0 && true", None),
        ("ratings.SO1.presence == 1 && ratings.SO2.presence >= 0", None),
        ("ratings.SO1.presence == 1 || ratings.SO2.presence >= 0", True),
        ("ratings.SO1.presence == 0 && ratings.SO2.presence >= 0", False),
        ("ratings.SO1.presence == 0 ? true : ratings.SO2.presence > 0", None),
        # unknown flags
        ("flags.f1", None),
        ("!flags.f1", None),
        ("flags.f2 || flags.f1", True),
        ("!flags.f2 && flags.f1", False),
        # case fields not given
        ('case.status == "a"', None),
        ('case.status != "a"', None),
        # known values
        ("ratings.SO1.presence == 1 && ratings.SO1.relevance == 2", True),
        ("domains.social.risk.absent == 2", True),
        ("has(ratings.SO1.presence)", True),
    ],
)
def test_unknown_is_not_false(source, expected):
    ctx = context(flags={"f2": True})
    assert ctx.evaluate(compiled(source)) is expected


def test_case_fields_when_given():
    ctx = context(case={"status": "a", "age": 19})
    assert ctx.evaluate(compiled('case.status == "a" && case.age > 17')) is True


def test_flags_update_between_evaluations():
    ctx = context()
    expression = compiled("flags.f1")
    assert ctx.evaluate(expression) is None
    ctx.set_flags({"f1": True})
    assert ctx.evaluate(expression) is True
    ctx.set_flags({"f1": False})
    assert ctx.evaluate(expression) is False


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("ratings.SO1.presence", "rule-type"),
        ("ratings.SO1.presence + 1", "rule-type"),
        ("'text'", "rule-type"),
        ("1 / 0 == 1", "rule-evaluation"),
        ("9223372036854775807 + 1 > 0", "rule-evaluation"),
        ("'a' * 3 == 'aaa'", "rule-evaluation"),
        ("int('x') == 1", "rule-evaluation"),
        ("timestamp('xx') > timestamp('yy')", "rule-evaluation"),
        ("[1][5] == 1", "rule-evaluation"),
        ("'abc'.matches('(')", "rule-evaluation"),
        ("1 in 1", "rule-evaluation"),
        ("ratings.SO1 > 0", "rule-evaluation"),
        ("size(1) == 1", "rule-evaluation"),
        ("-9223372036854775807 - 2 < 0", "rule-evaluation"),
        ("9223372036854775807 * 2 > 0", "rule-evaluation"),
        ("1 % 0 == 0", "rule-evaluation"),
    ],
)
def test_library_failures_become_rule_errors(source, code):
    expression = compiled(source)
    with pytest.raises(RuleError) as info:
        context().evaluate(expression)
    assert info.value.codes == [code]


_ALPHABET = st.sampled_from(
    [
        *"()[]{}.,!?:<>=&|+-*/%'\"\\ 0123456789abcxyz_",
        *["ratings.SO1.presence", "flags.f1", "domains.social.risk.present", "case.status", "size", "int("],
        *["&&", "||", "\\x", "\\u", "b'", "r'", "'''", "0x", "1e999", "9223372036854775807"],
        *["dyn(", ".all(", ".map(", "has("],
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_hostile_expressions_raise_only_spj_errors(source):
    """Whatever the text, compiling gives problems and evaluating gives a value or a RuleError."""
    try:
        expression, problems = compile_expression(source, NS)
    except BaseException as exc:
        pytest.fail(f"compile_expression({source!r}) raised {type(exc).__mro__}: {exc}")
    assert (expression is None) == bool(problems)
    if expression is None:
        return
    try:
        result = context(case={"status": "a"}).evaluate(expression)
    except RuleError:
        return
    except BaseException as exc:
        pytest.fail(f"evaluate({source!r}) raised {type(exc).__mro__}: {exc}")
    assert result in (True, False, None)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_escapes(source):
    try:
        expression, _ = compile_expression(source, NS)
        if expression is not None:
            context().evaluate(expression)
    except RuleError:
        pass
    except BaseException as exc:
        pytest.fail(f"{source!r} raised {type(exc).__mro__}: {exc}")
