"""Loading instruments: every load-time check of DESIGN 4.1."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import gc

import pydantic
import pytest
from helpers import BODY, HEADER, assert_spj_error, assessment_text, instrument_text, make_instrument

import spj
from spj import Code, InstrumentError
from spj.instrument import index_of
from spj.instrument.index import LOADED


def load(rest="", *, body=BODY):
    return make_instrument(rest, body=body)


def test_minimal_instrument_loads():
    instrument = load()
    assert instrument.id == "test-instrument"
    assert [i.id for i in instrument.indicators] == ["SO1", "SO2", "WB1"]
    assert instrument.default_language == "en"
    assert len(instrument.sha256) == 64
    assert instrument.source == "inst.yaml"


def test_load_instrument_from_file(tmp_path):
    path = tmp_path / "i.yaml"
    path.write_text(instrument_text())
    instrument = spj.load_instrument(path)
    assert instrument.source == str(path)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # wrong type: indicators must be a list
        ("domains:\n  - {id: social, title: x}\nindicators: 3\n", 18, "not 3"),
        # kind not risk/protective
        (
            "domains:\n  - {id: social, title: x}\nindicators:\n"
            "  - {id: SO1, domain: social, kind: danger, title: x}\n",
            19,
            "risk",
        ),
        # missing key (title)
        ("domains:\n  - {id: social}\nindicators:\n  - {id: SO1, domain: social, kind: risk, title: x}\n", 17, "title"),
        # unknown key with did-you-mean
        (
            "domains:\n  - {id: social, title: x}\nindicators:\n  - {id: SO1, domian: social, kind: risk, title: x}\n",
            19,
            "domain",
        ),
        # bad id form
        (
            "domains:\n  - {id: 1social, title: x}\nindicators:\n  - {id: SO1, domain: social, kind: risk, title: x}\n",
            17,
            "",
        ),
    ],
)
def test_schema_problems_are_located(body, line, message):
    assert_spj_error(lambda: load(body=body), code=Code.SCHEMA, error=InstrumentError, line=line, message=message)


def test_wrong_format_is_refused():
    text = instrument_text().replace("format: spj/1", "format: spj/2")
    assert_spj_error(lambda: spj.parse_instrument(text), code=Code.SCHEMA, line=1, message="spj/1")


def test_not_a_mapping_is_refused():
    assert_spj_error(lambda: spj.parse_instrument("- 1\n- 2\n"), code=Code.SCHEMA)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "domains:\n  - {id: social, title: x}\n  - {id: social, title: y}\n"
            "indicators:\n  - {id: SO1, domain: social, kind: risk, title: x}\n",
            18,
        ),
        (
            "domains:\n  - {id: social, title: x}\nindicators:\n"
            "  - {id: SO1, domain: social, kind: risk, title: x}\n"
            "  - {id: SO1, domain: social, kind: risk, title: y}\n",
            20,
        ),
    ],
)
def test_duplicate_ids(body, line):
    assert_spj_error(lambda: load(body=body), code=Code.DUPLICATE_ID, line=line, message="first at line")


def test_duplicate_scale_code():
    text = HEADER.replace('{code: "P", value: 1', '{code: "N", value: 1') + BODY
    assert_spj_error(lambda: spj.parse_instrument(text), code=Code.DUPLICATE_ID, line=10)


IV = "{{id: {id}, title: x, domain: {domain}, provider: p, duration_weeks: 1, recommend_when: 'true'{extra}}}"


@pytest.mark.parametrize(
    ("rest", "line", "message"),
    [
        (
            "indicators_extra: 1\n",
            None,
            "unknown key",
        ),
    ],
)
def test_unknown_top_level_key(rest, line, message):
    assert_spj_error(lambda: load(rest), code=Code.SCHEMA, line=line, message=message)


@pytest.mark.parametrize(
    ("rest", "code", "line", "column", "message"),
    [
        # an indicator's domain
        ("", Code.UNRESOLVED_REFERENCE, 22, 23, ""),
        # requires / after
        (
            "interventions:\n  - " + IV.format(id="a", domain="social", extra=", requires: [bb]") + "\n"
            "  - " + IV.format(id="b", domain="social", extra="") + "\n",
            Code.UNRESOLVED_REFERENCE,
            24,
            None,
            "did you mean 'b'",
        ),
        (
            "interventions:\n  - " + IV.format(id="a", domain="social", extra=", after: [bb]") + "\n"
            "  - " + IV.format(id="b", domain="social", extra="") + "\n",
            Code.UNRESOLVED_REFERENCE,
            24,
            None,
            "did you mean 'b'",
        ),
        # an intervention's domain
        (
            "interventions:\n  - " + IV.format(id="a", domain="socal", extra="") + "\n",
            Code.UNRESOLVED_REFERENCE,
            24,
            None,
            "did you mean 'social'",
        ),
        # expressions: ratings / flags / domains / case
        (
            "rules:\n  - {id: r, when: 'ratings.SO3.presence > 0', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            20,
            "did you mean 'SO",
        ),
        (
            "rules:\n  - {id: r, when: 'ratings.SO1.relevanse > 0', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            20,
            "did you mean 'relevance'",
        ),
        (
            "rules:\n  - {id: r, when: 'flags.rr', message: m}\n  - {id: r2, when: 'true', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            20,
            "did you mean 'r'",
        ),
        (
            "rules:\n  - {id: r, when: 'true && domains.socail.risk.present > 0', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            28,
            "did you mean 'social'",
        ),
        (
            "rules:\n  - {id: r, when: 'domains.social.risk.presnt > 0', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            20,
            "did you mean 'present'",
        ),
        (
            "case_fields:\n  - {id: status, type: choice, choices: [a, b]}\n"
            "rules:\n  - {id: r, when: 'case.stauts == \"a\"', message: m}\n",
            Code.RULE_REFERENCE,
            26,
            20,
            "did you mean 'status'",
        ),
        (
            "rules:\n  - {id: r, when: 'ratngs.SO1.presence > 0', message: m}\n",
            Code.RULE_REFERENCE,
            24,
            20,
            "did you mean 'ratings'",
        ),
    ],
)
def test_unresolved_references_with_did_you_mean(rest, code, line, column, message):
    body = BODY
    if not rest:
        body = BODY.replace("domain: wellbeing", "domain: wellbeeing")
        message = "did you mean 'wellbeing'"
    assert_spj_error(lambda: load(rest, body=body), code=code, line=line, column=column, message=message)


@pytest.mark.parametrize(
    ("when", "column"),
    [
        ("ratings.SO1.presence >= ", 20 + len("ratings.SO1.presence >= ")),
        ("ratings.SO1.presence >= 1 &&", 20 + len("ratings.SO1.presence >= 1 &&")),
        ("ratings.SO1.presence @ 1", 20 + len("ratings.SO1.presence ")),
    ],
)
def test_expression_syntax_error_has_its_column(when, column):
    rest = f"rules:\n  - {{id: r, when: '{when}', message: m}}\n"
    assert_spj_error(lambda: load(rest), code=Code.RULE_SYNTAX, line=24, column=column)


def test_expression_syntax_error_in_block_scalar_gives_its_line():
    rest = "rules:\n  - id: r\n    message: m\n    when: |\n      true &&\n      ratings.SO1.presence >=\n"
    assert_spj_error(lambda: load(rest), code=Code.RULE_SYNTAX)


@pytest.mark.parametrize(
    "when",
    [
        "ratings.SO1.presence == 1 || " * 70 + "true",  # longer than 2000 characters
        "(" * 13 + "true" + ")" * 13,  # nested deeper than 12
        "[" * 20 + "1" + "]" * 20 + " == []",
    ],
)
def test_overlong_or_deeply_nested_expression(when):
    rest = f"rules:\n  - {{id: r, when: '{when}', message: m}}\n"
    assert_spj_error(lambda: load(rest), code=Code.RULE_TOO_COMPLEX, line=24)


def test_expression_longer_than_the_schema_limit():
    rest = "rules:\n  - {id: r, when: '" + "true || " * 600 + "true', message: m}\n"
    assert_spj_error(lambda: load(rest), code=Code.SCHEMA, line=24)


@pytest.mark.parametrize(
    ("when", "code"),
    [
        ("ratings.SO1.presence", Code.RULE_TYPE),
        ("ratings.SO1.presence + 1", Code.RULE_TYPE),
        ("1 / 0 == 1", Code.RULE_EVALUATION),
    ],
)
def test_expressions_are_probed_for_type_errors(when, code):
    rest = f'rules:\n  - {{id: r, when: "{when}", message: m}}\n'
    assert_spj_error(lambda: load(rest), code=code, line=24)


def test_rule_cycle_is_named():
    rest = """\
    rules:
      - {id: a, when: 'flags.c', message: m}
      - {id: b, when: 'flags.a', message: m}
      - {id: c, when: 'flags.b', message: m}
    """
    assert_spj_error(lambda: load(rest), code=Code.CYCLE, line=24, message="a -> b -> c -> a")


def test_rule_reading_itself_is_a_cycle():
    rest = "rules:\n  - {id: a, when: 'flags.a', message: m}\n"
    assert_spj_error(lambda: load(rest), code=Code.CYCLE, message="a -> a")


@pytest.mark.parametrize(
    ("deps", "message"),
    [
        ({"x": ", requires: [y]", "y": ", requires: [x]"}, "x -> y -> x"),
        ({"x": ", requires: [y]", "y": ", after: [x]"}, "x -> y -> x"),
        ({"x": ", after: [z]", "y": ", after: [x]", "z": ", requires: [y]"}, "x -> y -> z -> x"),
    ],
)
def test_requires_after_cycle_is_named(deps, message):
    rest = "interventions:\n" + "".join(
        "  - " + IV.format(id=name, domain="social", extra=deps.get(name, "")) + "\n" for name in ("x", "y", "z")
    )
    assert_spj_error(lambda: load(rest), code=Code.CYCLE, line=24, message=message)


def test_undeclared_language_key():
    body = BODY.replace("{en: Peers}", "{en: Peers, fr: Pairs}")
    assert_spj_error(lambda: load(body=body), code=Code.LANGUAGE, line=20, message="'fr'")


@pytest.mark.parametrize(
    ("values", "line"),
    [((0, 0, 2), 10), ((0, 2, 1), 11), ((5, 1, 9), 10)],
)
def test_scale_values_must_increase(values, line):
    text = (
        HEADER.replace("value: 0, label: {en: Absent}", f"value: {values[0]}, label: {{en: Absent}}")
        .replace("value: 1, label: {en: Partly}", f"value: {values[1]}, label: {{en: Partly}}")
        .replace("value: 2, label: {en: Present}", f"value: {values[2]}, label: {{en: Present}}")
        + BODY
    )
    assert_spj_error(lambda: spj.parse_instrument(text), code=Code.SCHEMA, line=line, message="increase")


def test_missing_presence_scale():
    text = HEADER.replace("presence:", "existence:") + BODY.replace("title: {en: Peers}", "title: x, rate: [existence]")
    assert_spj_error(lambda: spj.parse_instrument(text), code=Code.SCHEMA, line=7, message="'presence'")


def test_scale_with_one_level():
    text = HEADER.split("  relevance:")[0] + BODY.replace("kind: risk, title: {en: Peers}", "kind: risk, title: x")
    for code in ("P", "Y"):
        text = "".join(line for line in text.splitlines(keepends=True) if f'code: "{code}"' not in line)
    body_rate = text.replace("title: x}", "title: x, rate: [presence]}")
    assert_spj_error(lambda: spj.parse_instrument(body_rate), code=Code.SCHEMA, message="two levels")


def test_anchor_for_an_unknown_presence_code():
    body = BODY.replace("title: {en: Peers}", "title: {en: Peers}, anchors: {N: a, X: b}")
    assert_spj_error(lambda: load(body=body), code=Code.UNRESOLVED_REFERENCE, line=20, message="presence code")


def test_choice_field_without_choices():
    rest = "case_fields:\n  - {id: status, type: choice}\n"
    assert_spj_error(lambda: load(rest), code=Code.SCHEMA, line=24, message="choices")


def test_three_problems_in_one_file_are_reported_together():
    body = BODY.replace("domain: wellbeing", "domain: wellbeeing").replace("{en: Peers}", "{en: Peers, de: x}")
    rest = "rules:\n  - {id: r, when: 'ratings.XX1.presence > 0', message: m}\n"
    exc = assert_spj_error(lambda: load(rest, body=body), code=Code.UNRESOLVED_REFERENCE, count=3)
    assert sorted(exc.codes) == sorted([Code.UNRESOLVED_REFERENCE, Code.LANGUAGE, Code.RULE_REFERENCE])
    lines = [p.location.line for p in exc.problems]
    assert lines == sorted(lines)
    assert all(p.location.file == "inst.yaml" for p in exc.problems)


def test_duplicate_key_and_schema_problem_reported_together():
    body = BODY + "domains: []\n"
    rest = "license: 7\n"
    exc = assert_spj_error(lambda: load(rest, body=body), code=Code.DUPLICATE_KEY)
    assert Code.DUPLICATE_KEY in exc.codes


def test_sha256_ignores_layout_and_comments():
    plain = instrument_text()
    reformatted = "# a comment\n" + plain.replace("{en: Test instrument}", "\n  en: 'Test instrument'  # inline")
    assert spj.parse_instrument(plain).sha256 == spj.parse_instrument(reformatted).sha256


def test_sha256_changes_with_content():
    one = spj.parse_instrument(instrument_text()).sha256
    other = spj.parse_instrument(instrument_text().replace("{en: Peers}", "{en: Peers!}")).sha256
    assert one != other


def test_sha256_is_stable():
    assert load().sha256 == load().sha256


def test_instrument_is_frozen():
    instrument = load()
    with pytest.raises(pydantic.ValidationError):
        instrument.id = "other"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        instrument.indicators[0].domain = "wellbeing"  # type: ignore[misc]
    assert isinstance(instrument.indicators, tuple)


def test_codes_written_as_numbers_are_codes():
    text = HEADER.replace('code: "N"', "code: 0").replace('code: "P"', "code: 1").replace('code: "Y"', "code: 2") + BODY
    instrument = spj.parse_instrument(text)
    assert [level.code for level in instrument.scales["presence"]] == ["0", "1", "2"]


@pytest.mark.parametrize(
    "text",
    ["", "null\n", "format: spj/1\n", "[]\n", "format: spj/1\nid: X\n"],
)
def test_degenerate_documents_raise_instrument_error(text):
    with pytest.raises(InstrumentError):
        spj.parse_instrument(text)


# --- the compiled look-ups live beside the model, not in it ----------------------------------------


def test_the_model_holds_no_compiled_state():
    assert set(spj.Instrument.__private_attributes__) <= {"_sha256", "_source"}
    instrument = load()
    assert set(instrument.__pydantic_private__ or {}) <= {"_sha256", "_source"}


def test_a_loaded_instrument_has_its_index_beside_it():
    instrument = load()
    index = index_of(instrument)
    assert list(index.indicators) == [i.id for i in instrument.indicators]
    assert index_of(instrument) is index  # built once, at load time
    assert index_of(load()) is not index  # each loaded instrument has its own


def test_the_index_is_read_only():
    index = index_of(load())
    with pytest.raises(TypeError):
        index.indicators["XX1"] = index.indicators["SO1"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        index.rules = {}  # type: ignore[misc]


@pytest.mark.parametrize(
    "unloaded",
    [
        lambda: spj.Instrument.model_validate(load().model_dump()),
        lambda: load().model_copy(),  # a copy is a new model, never loaded
    ],
    ids=["validated", "copied"],
)
def test_an_instrument_not_loaded_has_no_index(unloaded):
    with pytest.raises(ValueError, match="load_instrument"):
        index_of(unloaded())


def test_the_index_is_forgotten_with_its_instrument():
    instrument = load()
    loaded = len(LOADED)
    del instrument
    gc.collect()
    assert len(LOADED) == loaded - 1


def test_one_instrument_evaluates_in_many_threads():
    instrument = make_instrument(
        """\
        rules:
          - {id: peers, when: 'ratings.SO1.presence >= 1', message: {en: Peers.}}
        """
    )
    assessments = [
        spj.parse_assessment(
            assessment_text(f"ratings:\n  SO1: {{presence: '{code}', relevance: low}}\n"), instrument, file="a.yaml"
        )
        for code in ("N", "P", "Y")
    ]
    expected = [spj.evaluate(instrument, a).to_dict() for a in assessments]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: spj.evaluate(instrument, assessments[n % 3]).to_dict(), range(300)))
    assert results == [expected[n % 3] for n in range(300)]
