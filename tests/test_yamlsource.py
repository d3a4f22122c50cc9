"""Strict YAML reading: spj.yamlsource."""

from __future__ import annotations

import time

import pytest
from helpers import assert_spj_error

from spj import Code, SpjError
from spj.files.yamlsource import MAX_DEPTH, parse_yaml, read_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: NO", {"a": "NO"}),
        ("a: Y", {"a": "Y"}),
        ("a: yes", {"a": "yes"}),
        ("a: off", {"a": "off"}),
        ("a: N", {"a": "N"}),
        ("a: true", {"a": True}),
        ("a: False", {"a": False}),
        ("a: 12", {"a": 12}),
        ("a: -3", {"a": -3}),
        ("a: 0", {"a": 0}),
        ("a: 1.5", {"a": 1.5}),
        ("a: 1e3", {"a": 1000.0}),
        ("a: null", {"a": None}),
        ("a: ~", {"a": None}),
        ("a:", {"a": None}),
        ("a: '12'", {"a": "12"}),
        ('a: "true"', {"a": "true"}),
        ("a: 1_000", {"a": "1_000"}),
        ("a: 2020-01-01", {"a": "2020-01-01"}),
        ("a: [1, x, null]", {"a": [1, "x", None]}),
        ("1: one\nyes: two", {"1": "one", "yes": "two"}),  # keys stay names
    ],
)
def test_scalars_follow_yaml_12_core(text, expected):
    assert parse_yaml(text).data == expected


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("a: 1\nb: 2\na: 3\n", Code.DUPLICATE_KEY, 3, 1),
        ("x:\n  k: 1\n  k: 2\n", Code.DUPLICATE_KEY, 3, 3),
        ("a: !!str 1\n", Code.YAML_TAG, 1, 4),
        ("a: !custom {b: 1}\n", Code.YAML_TAG, 1, 4),
        ("a: &x 1\nb: *x\n", Code.YAML_ALIAS, 2, 4),
        ("a: 1\n---\nb: 2\n", Code.YAML_MULTIPLE_DOCUMENTS, 2, 1),
        ("a: [1, 2\nb: 3\n", Code.YAML_SYNTAX, None, None),
        ("a: 1\n  b: 2\n", Code.YAML_SYNTAX, 2, None),
        ("? [a, b]\n: 1\n", Code.YAML_KEY, 1, None),
    ],
)
def test_refused_documents_are_located(text, code, line, column):
    assert_spj_error(lambda: _strict(text), code=code, line=line, column=column)


def _strict(text):
    doc = parse_yaml(text, file="f.yaml")
    if doc.problems:
        raise SpjError(doc.problems)
    return doc


def test_duplicate_key_keeps_the_first_and_names_the_first_line():
    doc = parse_yaml("a: 1\nb: 2\na: 3\n", file="f.yaml")
    assert doc.data == {"a": 1, "b": 2}
    [problem] = doc.problems
    assert problem.code == Code.DUPLICATE_KEY
    assert (problem.location.file, problem.location.line) == ("f.yaml", 3)
    assert "line 1" in problem.message


def test_syntax_error_has_line_and_column():
    with pytest.raises(SpjError) as info:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", file="f.yaml")
    [problem] = info.value.problems
    assert problem.code == Code.YAML_SYNTAX
    assert problem.location.file == "f.yaml"
    assert problem.location.line is not None and problem.location.column is not None


def test_alias_bomb_is_refused_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n"
    assert len(bomb) < 1500
    started = time.perf_counter()
    assert_spj_error(lambda: parse_yaml(bomb), code=Code.YAML_ALIAS, line=2)
    assert time.perf_counter() - started < 5  # generous: only catches an expansion


def test_anchor_without_alias_is_harmless():
    assert parse_yaml("a: &x 1\n").data == {"a": 1}


@pytest.mark.parametrize("kind", ["flow-list", "block-map", "flow-map"])
def test_depth_limit(kind):
    depth = MAX_DEPTH + 5
    text = {
        "flow-list": "a: " + "[" * depth + "]" * depth,
        "flow-map": "a: " + "{b: " * depth + "1" + "}" * depth,
        "block-map": "".join("  " * n + f"k{n}:\n" for n in range(depth)) + "  " * depth + "v\n",
    }[kind]
    assert_spj_error(lambda: parse_yaml(text), code=Code.YAML_TOO_DEEP)


def test_nesting_within_the_limit_is_fine():
    depth = MAX_DEPTH - 2
    assert parse_yaml("a: " + "[" * depth + "]" * depth).data is not None


def test_very_deep_nesting_does_not_exhaust_the_stack():
    depth = 100_000
    assert_spj_error(lambda: parse_yaml("[" * depth + "]" * depth), code=Code.YAML_TOO_DEEP)


def test_size_limit_on_text():
    assert_spj_error(lambda: parse_yaml("a: " + "x" * 200, max_bytes=100), code=Code.FILE_TOO_LARGE)


def test_size_limit_on_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200)
    assert_spj_error(lambda: read_text(path, error=SpjError, max_bytes=100), code=Code.FILE_TOO_LARGE)


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: caf\xe9\n".encode("latin-1"))
    assert_spj_error(lambda: read_text(path, error=SpjError), code=Code.FILE_ENCODING, line=2)


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_missing_file_or_folder(tmp_path, make):
    path = tmp_path / "nope.yaml"
    if make == "folder":
        path.mkdir()
    assert_spj_error(lambda: read_text(path, error=SpjError), code=Code.FILE_NOT_FOUND)


def test_locate_finds_values_and_keys():
    doc = parse_yaml("a:\n  b: 'x'\n  c: [1, 2]\n", file="f.yaml")
    assert (doc.locate(("a", "b")).line, doc.locate(("a", "b")).column) == (2, 6)
    assert doc.locate(("a", "c", 1)).line == 3
    # An unknown path falls back to its nearest located ancestor.
    assert doc.locate(("a", "zzz")).line == 1


@pytest.mark.parametrize(
    ("text", "offset", "line", "column"),
    [
        ("e: 'abc'\n", 2, 1, 7),  # quoted: one for the quote
        ("e: abc\n", 2, 1, 6),  # plain
        ("e: |\n  abc\n  def\n", 5, 3, 4),  # block: found in the file text, line and column
    ],
)
def test_locate_in_scalar(text, offset, line, column):
    doc = parse_yaml(text, file="f.yaml")
    loc = doc.locate_in_scalar(("e",), offset, doc.data["e"])
    assert (loc.line, loc.column) == (line, column)
