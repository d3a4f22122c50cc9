"""Issue 11: fifteen mistakes a methodologist made writing a 16-indicator instrument from the guide.

Each is seeded into an otherwise valid instrument; `spj validate` must find it,
at the right line, with a stable code and a message that states the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import spj
from spj.cli.app import app

RUNNER = CliRunner()

DOMAINS = """\
domains:
  - {id: family, title: {en: Family, nl: Gezin}}
  - {id: school, title: {en: School, nl: School}}
  - {id: health, title: {en: Health, nl: Gezondheid}}
  - {id: peers, title: {en: Peers, nl: Vrienden}}
"""

INDICATORS = (
    "indicators:\n"
    + "".join(
        f"  - {{id: {prefix}{n}, domain: {domain}, kind: {'risk' if n < 4 else 'protective'}, "
        f"title: {{en: {word} {n}, nl: {word} {n}}}, guidance: {{en: Ask., nl: Vraag.}}}}\n"
        for prefix, domain, word in (("FA", "family", "Home"), ("SC", "school", "Class"), ("HE", "health", "Care"))
        for n in range(1, 5)
        if (prefix, n) != ("FA", 1)
    )
    + "".join(
        f"  - {{id: PE{n}, domain: peers, kind: risk, title: {{en: Peer {n}, nl: Vriend {n}}}}}\n" for n in range(1, 5)
    )
)

VALID = (
    """\
format: spj/1
id: family-climate
version: 1.0.0
title: {en: Family climate, nl: Gezinsklimaat}
languages: [en, nl]
required_languages: [en, nl]
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent, nl: Afwezig}}
    - {code: "P", value: 1, label: {en: Partly, nl: Deels}}
    - {code: "Y", value: 2, label: {en: Present, nl: Aanwezig}}
  relevance:
    - {code: low, value: 0, label: {en: Low, nl: Laag}}
    - {code: high, value: 1, label: {en: High, nl: Hoog}}
"""
    + DOMAINS
    + INDICATORS.replace(
        "indicators:\n",
        "indicators:\n  - {id: FA1, domain: family, kind: risk, title: {en: Conflict, nl: Conflict},"
        " guidance: {en: Ask both parents., nl: Vraag beide ouders.}}\n",
    )
    + """\
case_fields:
  - {id: phase, type: choice, choices: [detention, probation]}
  - {id: age, type: integer}
rules:
  - id: family_strain
    when: 'ratings.FA1.presence >= 1 && ratings.FA4.presence == 0'
    message: {en: Strain at home., nl: Spanning thuis.}
  - id: young_adult
    when: 'case.age >= 18 && case.phase == "probation"'
    message: {en: A young adult on probation., nl: Jongvolwassene onder toezicht.}
interventions:
  - {id: family_talk, title: {en: Family talk, nl: Gezinsgesprek}, domain: family, provider: social-work,
     duration_weeks: 6, recommend_when: 'flags.family_strain || !flags.young_adult'}
judgements:
  - {id: concern, title: {en: Concern, nl: Zorg}, levels: [low, high], rationale_required: true}
"""
)

# (what the author wrote instead, the code, the line, what the message must say: the fix)
MISTAKES = [
    ("domains: []\n", DOMAINS, "schema", 16, "add at least one domain"),
    ("languages: [en, Dutch]", "languages: [en, nl]", "schema", 5, "a language code such as nl or fr-BE"),
    ("version: '1.0'", "version: 1.0.0", "schema", 3, "a version such as 1.0.0"),
    (
        "title: {en: Conflict, shouting, threats, nl: Conflict}",
        "title: {en: Conflict, nl: Conflict}",
        "schema",
        22,
        'quote text that contains a comma or a colon, as in en: "Conflict, shouting',
    ),
    (
        "title: {en: Conflict: shouting, nl: Conflict}",
        "title: {en: Conflict, nl: Conflict}",
        "yaml-syntax",
        22,
        "quote text that contains a comma or a colon",
    ),
    ("gudance: {en: Ask both", "guidance: {en: Ask both", "schema", 22, "did you mean 'guidance'?"),
    ("\t- {id: FA2", "  - {id: FA2", "yaml-syntax", 23, "use spaces"),
    ("ratings.FA1.presence => 1", "ratings.FA1.presence >= 1", "rule-syntax", 43, "write '>='"),
    ("ratings.FA4.presence =< 0", "ratings.FA4.presence == 0", "rule-syntax", 43, "write '<='"),
    ("ratings.FA4.presence = 0", "ratings.FA4.presence == 0", "rule-syntax", 43, "write '=='"),
    ("1 and ratings.FA4", "1 && ratings.FA4", "rule-syntax", 43, "write '&&', not 'and'"),
    ("flags.family_strain or !flags", "flags.family_strain || !flags", "rule-syntax", 50, "write '||', not 'or'"),
    ('ratings.FA4.presence == "N"', "ratings.FA4.presence == 0", "rule-type", 43, "write 0 for 'N'"),
    ("ratings.FA1.presence >= 3", "ratings.FA1.presence >= 1", "rule-out-of-range", 43, "write one of 0, 1, 2"),
    ('case.age >= "adult"', "case.age >= 18", "rule-type", 46, "compare it with a number, as in case.age >= 1"),
    (
        "message: {en: Strain at home.}",
        "message: {en: Strain at home., nl: Spanning thuis.}",
        "missing-translation",
        44,
        "write it as {en: ..., nl: ...}",
    ),
    (
        "when: 'ratings.FA1.presence >= 1 && ratings.FA4.presence == 'N''",
        "when: 'ratings.FA1.presence >= 1 && ratings.FA4.presence == 0'",
        "yaml-syntax",
        43,
        "(line 43): write that text in double quotes",
    ),
    ("kind: riks, title: {en: Home 2", "kind: risk, title: {en: Home 2", "schema", 23, "did you mean 'risk'?"),
]


def seeded(wrong: str, right: str) -> str:
    assert right in VALID, right
    return VALID.replace(right, wrong, 1)


def test_the_instrument_without_mistakes_is_valid_and_lint_clean(tmp_path: Path) -> None:
    path = tmp_path / "instrument.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert len(spj.load_instrument(path).indicators) == 16
    result = RUNNER.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("wrong", "right", "code", "line", "fix"), MISTAKES, ids=[m[0][:30] for m in MISTAKES])
def test_each_mistake_is_located_and_says_what_to_do(
    tmp_path: Path, wrong: str, right: str, code: str, line: int, fix: str
) -> None:
    path = tmp_path / "instrument.yaml"
    path.write_text(seeded(wrong, right), encoding="utf-8")
    result = RUNNER.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    matching = [row for row in result.output.splitlines() if f": {code} " in row]
    assert matching, result.output
    assert any(row.startswith(f"{path}:{line}:") for row in matching), result.output
    assert any(fix in row for row in matching), result.output
    for internal in ("tuple should have", "after validation", "^[", "Input should", "constrained-str"):
        assert internal not in result.output


def test_one_unquoted_comma_is_one_problem_not_a_cascade() -> None:
    """The issue's three runs (28 -> 19 -> 9 problems) came from one cause; now one problem names it."""
    text = seeded("title: {en: Conflict, shouting, threats, nl: Conflict}", "title: {en: Conflict, nl: Conflict}")
    with pytest.raises(spj.InstrumentError) as info:
        spj.parse_instrument(text, file="inst.yaml")
    assert set(info.value.codes) == {"schema"}
    for problem in info.value.problems:  # 'shouting' and 'threats', each read as a key
        assert "quote text that contains a comma" in problem.message
        assert problem.location.line == 22
        assert ".str" not in problem.location.dotted_path


def test_a_shipped_instrument_missing_a_required_translation_is_refused(tmp_path: Path) -> None:
    shipped_path = Path("instruments/disengagement-trajectory/instrument.yaml")
    assert "nl" in spj.load_instrument(shipped_path).required_languages
    shipped = shipped_path.read_text(encoding="utf-8")
    index = shipped.index("nl:", shipped.index("indicators:"))
    broken = shipped[:index] + "xx" + shipped[index + 2 :]  # the first Dutch text of an indicator becomes 'xx:'
    path = tmp_path / "instrument.yaml"
    path.write_text(broken, encoding="utf-8")
    result = RUNNER.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "missing-translation" in result.output


def test_a_language_outside_required_languages_may_be_incomplete() -> None:
    text = VALID.replace("languages: [en, nl]", "languages: [en, nl, fr]", 1).replace(
        "title: {en: Family climate, nl: Gezinsklimaat}", "title: {en: Family climate, nl: Gezinsklimaat, fr: Climat}"
    )
    instrument = spj.parse_instrument(text, file="inst.yaml")
    assert instrument.languages == ("en", "nl", "fr")


def test_a_required_language_must_be_declared() -> None:
    text = VALID.replace("required_languages: [en, nl]", "required_languages: [en, fr]")
    with pytest.raises(spj.InstrumentError) as info:
        spj.parse_instrument(text, file="inst.yaml")
    assert "language" in info.value.codes
    assert "add it to languages" in str(info.value)


def test_required_languages_do_not_change_the_content_hash() -> None:
    with_it = spj.parse_instrument(VALID, file="a.yaml")
    without = spj.parse_instrument(VALID.replace("required_languages: [en, nl]\n", ""), file="b.yaml")
    assert with_it.sha256 == without.sha256


@pytest.mark.parametrize(
    ("when", "code", "fix"),
    [
        ("ratings.FA4.presence == 'Y'", "rule-type", "write 2 for 'Y'"),
        ("'Y' == ratings.FA4.presence", "rule-type", "write 2 for 'Y'"),
        ("ratings.FA4.presence in ['Y', 'P']", "rule-type", "write 2 for 'Y'"),
        ("ratings.FA4.presence == 5", "rule-out-of-range", "write one of 0, 1, 2"),
        ("ratings.FA4.relevance < -1", "rule-out-of-range", "write one of 0, 1"),
        ("case.phase == 1", "rule-type", "as in case.phase == 'detention'"),
        ("case.age == 'adult'", "rule-type", "compare it with a number"),
        ("ratings.FA4.presence && flags.family_strain", "rule-type", "compare it, as in ratings.FA4.presence >= 1"),
        ("ratings.FA4.presence + 1", "rule-type", "not true or false"),
        ("case.phase + 1 == 2", "rule-type", "'+' cannot combine them"),
        ("!case.age", "rule-type", "not true or false"),
    ],
)
def test_rules_are_typed_before_any_data_is_seen(when: str, code: str, fix: str) -> None:
    text = VALID.replace("'flags.family_strain || !flags.young_adult'", f'"{when}"')
    with pytest.raises(spj.InstrumentError) as info:
        spj.parse_instrument(text, file="inst.yaml")
    problems = [p for p in info.value.problems if p.code.value == code]
    assert problems, str(info.value)
    assert any(fix in p.message for p in problems), str(info.value)
    assert all(p.location.line == 50 for p in problems)


@pytest.mark.parametrize(
    "when",
    [
        "ratings.FA4.presence >= 0 && ratings.FA4.relevance <= 1",
        "case.phase in ['detention', 'probation'] || case.age + 1 > 18",
        "has(ratings.FA1) ? ratings.FA1.presence == 2 : flags.family_strain",
        "domains.family.risk.present + domains.family.protective.present >= 1",
        "[1, 2].exists(x, x == ratings.FA1.presence)",
        "ratings.FA1.presence * 2 >= 3.5",
    ],
)
def test_well_typed_rules_still_load(when: str) -> None:
    text = VALID.replace("'flags.family_strain || !flags.young_adult'", f'"{when}"')
    spj.parse_instrument(text, file="inst.yaml")


def test_the_type_problem_points_at_the_constant_out_of_range() -> None:
    text = VALID.replace("ratings.FA1.presence >= 1", "ratings.FA1.presence >= 3")
    with pytest.raises(spj.InstrumentError) as info:
        spj.parse_instrument(text, file="inst.yaml")
    [problem] = info.value.problems
    assert (problem.location.line, problem.location.column) == (43, 36)  # the `3`
