"""Case consultations (art. 458ter Sw.): secret items stay at the table; the note leaves only when all approved."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from spj.cli.app import app
from spj.disclosure.consultation import Consultation, releasable_note
from spj.disclosure.log import read_log
from spj.errors import DisclosureError

RECORD = """\
format: spj-consultation/1
id: CC-1
case: CASE-1
date: 2020-01-01
basis: {en: Case consultation}
participants: [cell-example, hoj-example, care-example, police-example]
items:
  - {id: I1, by: hoj-example, text: Keeps the probation conditions.}
  - {id: I2, by: care-example, text: SECRETTEXT sleep problems linked to earlier experiences., secret: true}
  - {id: I3, by: police-example, text: No contact with former co-defendants observed.}
feedback:
  to: police-example
  items: ITEMS
  summary: SUMMARY
  approvals: APPROVALS
"""
ALL = "[{agency: cell-example}, {agency: hoj-example}, {agency: care-example}, {agency: police-example}]"


def record(items: str = "[I1, I3]", summary: str = "Continues as agreed.", approvals: str = ALL) -> str:
    return RECORD.replace("ITEMS", items).replace("SUMMARY", summary).replace("APPROVALS", approvals)


def run(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    (tmp_path / "c.yaml").write_text(text)
    result = CliRunner().invoke(
        app, ["consultation", "feedback", str(tmp_path / "c.yaml"), "--log", str(tmp_path / "log.jsonl"), *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_an_approved_note_of_unsecret_items_is_released_and_logged(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, record())
    assert code == 0 and "Keeps the probation conditions." in out and "No contact" in out
    assert "SECRETTEXT" not in out
    [entry] = read_log(tmp_path / "log.jsonl")
    assert entry["agency"] == "police-example" and entry["sections"] == ["consultation.feedback", "item.I1", "item.I3"]


@pytest.mark.parametrize(
    ("items", "summary", "line"),
    [
        ("[I1, I2]", "Continues as agreed.", 13),
        ("[I1]", "He has SECRETTEXT sleep problems linked to earlier experiences.", 14),
    ],
)
def test_a_note_that_carries_a_secret_is_refused_located(tmp_path: Path, items: str, summary: str, line: int) -> None:
    code, out, err = run(tmp_path, record(items=items, summary=summary))
    assert code == 1 and out == ""
    assert "secret-in-feedback" in err and f"c.yaml:{line}:" in err
    assert not (tmp_path / "log.jsonl").exists()


def test_a_note_not_approved_by_every_participant_is_not_released(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, record(approvals="[{agency: cell-example}, {agency: hoj-example}]"))
    assert code == 1 and out == ""
    assert "feedback-not-approved" in err and "care-example, police-example" in err
    assert not (tmp_path / "log.jsonl").exists()


def test_participants_must_be_agencies_of_the_deployment(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "format: spj-deployment/1\n"
        "agencies: [{id: hoj-example, kind: probation}, {id: police-example, kind: security}]\n"
    )
    (tmp_path / "c.yaml").write_text(record())
    result = CliRunner().invoke(
        app, ["consultation", "check", str(tmp_path / "c.yaml"), "--deployment", str(tmp_path / "d.yaml")]
    )
    assert result.exit_code == 1
    assert result.stderr.count("unknown-agency") == 2 and "c.yaml:6:" in result.stderr


@settings(max_examples=60, deadline=None)
@given(
    secret=st.lists(st.booleans(), min_size=3, max_size=3),
    cited=st.lists(st.sampled_from(["I1", "I2", "I3"]), min_size=1, unique=True),
    approved=st.lists(st.sampled_from(["cell-example", "hoj-example", "care-example", "police-example"]), unique=True),
)
def test_a_released_note_never_holds_a_secret_item(secret: list[bool], cited: list[str], approved: list[str]) -> None:
    data = {
        "format": "spj-consultation/1",
        "id": "CC-1",
        "case": "C",
        "date": "2020-01-01",
        "basis": "B",
        "participants": ["cell-example", "hoj-example", "care-example", "police-example"],
        "items": [
            {"id": f"I{n + 1}", "by": "hoj-example", "text": f"TEXT{n + 1}", "secret": s} for n, s in enumerate(secret)
        ],
        "feedback": {"to": "police-example", "items": cited, "approvals": [{"agency": a} for a in approved]},
    }
    from spj.disclosure.consultation import consultation_from_document
    from spj.files.yamlsource import Document

    cites_secret = any(secret[int(i[1]) - 1] for i in cited)
    try:
        consultation = consultation_from_document(Document(data, None))
        items = releasable_note(consultation)
    except DisclosureError as exc:
        expected = {"secret-in-feedback"} if cites_secret else {"feedback-not-approved"}
        assert set(exc.codes) == expected
        assert cites_secret or len(approved) < 4
        return
    assert isinstance(consultation, Consultation) and not cites_secret
    assert len(approved) == 4 and not any(item.secret for item in items)
    assert [item.id for item in items] == cited


def test_after_the_table_a_secret_item_stays_with_the_agency_that_brought_it() -> None:
    from spj.disclosure.consultation import items_seen_by, parse_consultation

    consultation = parse_consultation(record())
    by_hoj = {i.id: i.text for i in items_seen_by(consultation, "hoj-example")}
    assert by_hoj["I1"] == "Keeps the probation conditions." and by_hoj["I2"] is None
    by_care = {i.id: i.text for i in items_seen_by(consultation, "care-example")}
    assert by_care["I2"] is not None and "SECRETTEXT" in by_care["I2"]
    assert items_seen_by(consultation, "school-example") == []  # not at the table: nothing


def test_the_note_reaches_its_addressee_and_the_participants_only_once_approved() -> None:
    from spj.disclosure.consultation import note_released_to, parse_consultation

    released = parse_consultation(record())
    assert [i.id for i in note_released_to(released, "police-example") or []] == ["I1", "I3"]
    assert [i.id for i in note_released_to(released, "cell-example") or []] == ["I1", "I3"]
    assert note_released_to(released, "school-example") is None
    waiting = parse_consultation(record(approvals="[{agency: cell-example}]"))
    assert note_released_to(waiting, "police-example") is None
