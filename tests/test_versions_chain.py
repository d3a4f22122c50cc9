"""Versions (issue 11, point 4): migrations that chain, renames spotted by diff, a content change without a new
version, migrate's output and options."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import spj
from spj.authoring.lint import LintCode, lint_file
from spj.authoring.lint.versions import load_previous
from spj.authoring.versioning import diff_instruments, format_diff
from spj.authoring.versioning.chain import migrate_through, migration_path
from spj.cli.app import app

RUNNER = CliRunner()
CODES = ["N", "P", "Y"]


def instrument(version: str, indicators: list[str], migration: dict[str, Any] | None = None) -> dict[str, Any]:
    """A small instrument whose indicators are `indicators`; titles follow the id's *meaning* (see `MEANING`)."""
    data: dict[str, Any] = {
        "format": "spj/1",
        "id": "chain-test",
        "version": version,
        "title": {"en": "Chain test"},
        "languages": ["en"],
        "license": "CC0-1.0",
        "scales": {
            "presence": [{"code": c, "value": n, "label": {"en": c}} for n, c in enumerate(CODES)],
        },
        "domains": [{"id": "d", "title": {"en": "D"}}],
        "indicators": [
            {
                "id": i,
                "domain": "d",
                "kind": "risk",
                "title": {"en": f"Meaning {MEANING.get(i, i)}"},
                "rate": ["presence"],
            }
            for i in indicators
        ],
        "rules": [{"id": "any", "when": "domains.d.risk.present >= 1", "message": {"en": "Some."}}],
        "judgements": [{"id": "concern", "title": {"en": "Concern"}, "levels": ["low", "high"]}],
    }
    if migration is not None:
        data["migrations"] = [migration]
    return data


MEANING: dict[str, str] = {}  # renamed ids keep their meaning (the same title), as a rename does


def assessment(version: str, ratings: dict[str, str], status: str = "final") -> dict[str, Any]:
    return {
        "format": "spj-assessment/1",
        "instrument": {"id": "chain-test", "version": version},
        "id": "A-1",
        "case": {"id": "C-1"},
        "assessor": {"id": "u-1"},
        "date": "2026-01-02",
        "status": status,
        "ratings": {i: {"presence": code} for i, code in ratings.items()},
        "judgements": {"concern": {"level": "low"}},
    }


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


@pytest.fixture()
def three(tmp_path: Path) -> Path:
    """v1 (A, B, C); v2 renames B to B2 and adds D; v3 removes C and adds E."""
    MEANING.update({"B2": "B"})
    write(tmp_path, "v1.json", instrument("1.0.0", ["A", "B", "C"]))
    write(
        tmp_path,
        "v2.json",
        instrument("2.0.0", ["A", "B2", "C", "D"], {"from": "1.0.0", "renamed": {"B": "B2"}, "added": ["D"]}),
    )
    write(
        tmp_path,
        "v3.json",
        instrument("3.0.0", ["A", "B2", "D", "E"], {"from": "2.0.0", "removed": ["C"], "added": ["E"]}),
    )
    write(tmp_path, "a.json", assessment("1.0.0", {"A": "Y", "B": "P", "C": "N"}))
    return tmp_path


def test_v1_to_v3_in_one_command_keeps_what_to_rate_and_the_provenance(three: Path) -> None:
    code = RUNNER.invoke(
        app,
        [
            "migrate",
            str(three / "a.json"),
            "--from",
            str(three / "v1.json"),
            "--via",
            str(three / "v2.json"),
            "--to",
            str(three / "v3.json"),
            "-o",
            str(three / "m.yaml"),
            "--json",
        ],
    )
    assert code.exit_code == 0, code.output
    report = json.loads(code.output[code.output.index("{") :])
    assert [ref["version"] for ref in report["through"]] == ["2.0.0"]
    assert report["new"]["version"] == "3.0.0"
    to_rate = {(r["indicator"], r["reason"]) for r in report["re_rate"]}
    assert ("D", "added") in to_rate  # added in v2, never rated: still to rate in v3
    assert ("E", "added") in to_rate
    assert ("C", "removed") in to_rate
    text = (three / "m.yaml").read_text(encoding="utf-8")
    migrated = yaml.safe_load(text)
    assert migrated["previous"] == "A-1" and migrated["id"] == "A-1-3.0.0" and migrated["status"] == "draft"
    assert migrated["ratings"] == {"A": {"presence": "Y"}, "B2": {"presence": "P"}}
    assert 'presence: "Y"' in text and 'presence: "P"' in text  # codes quoted, as the guide asks
    assert "through 2.0.0 to chain-test 3.0.0" in text.splitlines()[1]
    spj.load_assessment(three / "m.yaml", spj.load_instrument(three / "v3.json"))


def test_without_the_version_between_the_message_says_to_go_through_it(three: Path) -> None:
    result = RUNNER.invoke(
        app, ["migrate", str(three / "a.json"), "--from", str(three / "v1.json"), "--to", str(three / "v3.json")]
    )
    assert result.exit_code == 1
    assert "only from 2.0.0" in result.output and "--via" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("option", ["--to", "--from", "-o"])
def test_a_repeated_option_is_refused_not_overridden(three: Path, option: str) -> None:
    args = {"--to": str(three / "v3.json"), "--from": str(three / "v1.json"), "-o": str(three / "m.yaml")}
    line = ["migrate", str(three / "a.json"), "--via", str(three / "v2.json")]
    for name, value in args.items():
        line += [name, value]
    line += [option, str(three / "other.yaml")]
    result = RUNNER.invoke(app, line)
    assert result.exit_code == 2
    assert "give it once" in result.output
    assert not (three / "m.yaml").exists() and not (three / "other.yaml").exists()


def test_diff_suggests_a_rename_with_the_same_texts(three: Path) -> None:
    v1 = spj.load_instrument(three / "v1.json")
    undeclared = instrument("2.0.0", ["A", "B2", "C"])
    v2 = spj.parse_instrument(json.dumps(undeclared), file="v2.json")
    changes = diff_instruments(v1, v2)
    assert changes.suggested_renames == (("B", "B2"),)
    assert "renamed: {B: B2}" in format_diff(changes)
    declared = spj.load_instrument(three / "v2.json")
    assert diff_instruments(v1, declared).suggested_renames == ()


# --- a content change without a new version -------------------------------------------------------------


def test_lint_against_a_file_warns_when_the_content_changed_but_not_the_version(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", instrument("1.0.0", ["A", "B"]))
    new = write(tmp_path, "new.json", instrument("1.0.0", ["A", "B", "C"]))
    report = lint_file(new, previous=spj.load_instrument(old))
    [warning] = [w for w in report.warnings if w.code is LintCode.VERSION_NOT_BUMPED]
    assert "1.1.0" in warning.message and warning.location.dotted_path == "version"
    result = RUNNER.invoke(app, ["lint", "--strict", "--against", str(old), str(new)])
    assert result.exit_code == 1 and "version-not-bumped" in result.output
    bumped = write(tmp_path, "bumped.json", instrument("1.1.0", ["A", "B", "C"]))
    assert "version-not-bumped" not in RUNNER.invoke(app, ["lint", "--against", str(old), str(bumped)]).output
    same = write(tmp_path, "same.json", instrument("1.0.0", ["A", "B"]))
    assert "version-not-bumped" not in RUNNER.invoke(app, ["lint", "--against", str(old), str(same)]).output


def test_lint_against_the_previous_version_in_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    path = write(tmp_path, "instrument.json", instrument("1.0.0", ["A", "B"]))
    git("add", "instrument.json")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "v1")
    write(tmp_path, "instrument.json", instrument("1.0.0", ["A", "B", "C"]))
    assert load_previous("git:HEAD", path).indicators[-1].id == "B"
    result = RUNNER.invoke(app, ["lint", "--strict", "--against", "git:HEAD", str(path)])
    assert result.exit_code == 1 and "version-not-bumped" in result.output
    missing = RUNNER.invoke(app, ["lint", "--against", "git:no-such-ref", str(path)])
    assert missing.exit_code == 1 and "file-not-found" in missing.output and "Traceback" not in missing.output


# --- chains over generated versions ------------------------------------------------------------------------


@st.composite
def version_chains(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Three to four versions; each step renames, adds or removes indicators and declares it."""
    ids = [f"I{n}" for n in range(draw(st.integers(2, 5)))]
    versions = [instrument("1.0.0", ids)]
    fresh = iter(range(100, 200))
    for step in range(1, draw(st.integers(3, 4))):
        migration: dict[str, Any] = {"from": f"{step}.0.0"}
        new_ids = list(ids)
        renamed = draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))
        if renamed:
            migration["renamed"] = {}
            for old in renamed:
                new = f"R{next(fresh)}"
                MEANING[new] = MEANING.get(old, old)
                migration["renamed"][old] = new
                new_ids[new_ids.index(old)] = new
        removable = [i for i in new_ids if i not in migration.get("renamed", {}).values()]
        if len(removable) > 1 and draw(st.booleans()):
            gone = draw(st.sampled_from(removable))
            migration["removed"] = [gone]
            new_ids.remove(gone)
        if draw(st.booleans()):
            added = f"N{next(fresh)}"
            migration["added"] = [added]
            new_ids.append(added)
        versions.append(instrument(f"{step + 1}.0.0", new_ids, migration))
        ids = new_ids
    return versions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_chains(), st.data())
def test_a_chain_carries_every_rating_it_can_and_lists_the_rest(
    chain: list[dict[str, Any]], data: st.DataObject
) -> None:
    loaded = [spj.parse_instrument(json.dumps(v), file=f"v{n + 1}.json") for n, v in enumerate(chain)]
    first, last = loaded[0], loaded[-1]
    ratings = {i.id: data.draw(st.sampled_from(CODES)) for i in first.indicators}
    source = spj.parse_assessment(json.dumps(assessment("1.0.0", ratings)), first, file="a.json")
    assert migration_path("1.0.0", last, loaded[1:-1]) == loaded[1:]
    result = migrate_through(source, first, last, via=list(reversed(loaded[1:-1])))
    # follow each v1 indicator through the declared renames and removals
    expected: dict[str, str] = {}
    for old_id, code in ratings.items():
        ident: str | None = old_id
        for version in chain[1:]:
            migration = version["migrations"][0]
            if ident in migration.get("removed", []):
                ident = None
                break
            ident = migration.get("renamed", {}).get(ident, ident)
        if ident is not None:
            expected[ident] = code
    got = {ident: rating.codes["presence"] for ident, rating in result.assessment.ratings.items()}
    assert got == expected
    to_rate = {r.indicator for r in result.re_rate if r.reason in ("added", "unrated")}
    assert to_rate == {i.id for i in last.indicators} - set(got)  # every unrated indicator is listed
    assert result.assessment.previous == "A-1"
    assert [ref.version for ref in result.through] == [i.version for i in loaded[1:-1]]
    spj.parse_assessment(result.text, last, file="m.yaml")  # the written text is a valid draft
