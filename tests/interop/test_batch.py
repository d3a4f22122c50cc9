"""`run_batch`: a folder or a store, in a process pool, resumable, one JSON line per assessment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import spj
from spj.errors import ExportError
from spj.interop import BatchSettings, folder_items, run_batch, store_items
from spj.store import open_store

ROOT = Path(__file__).parent.parent.parent
TRAJECTORY = ROOT / "instruments/disengagement-trajectory"
EXAMPLES = sorted((TRAJECTORY / "examples").glob("*.assessment.yaml"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    (cases / "sub").mkdir(parents=True)
    for n, example in enumerate(EXAMPLES):
        shutil.copy(example, cases / ("sub" if n % 2 else ".") / example.name)
    (cases / "broken.assessment.yaml").write_text(
        "format: spj-assessment/1\ninstrument: {id: disengagement-trajectory, version: 1.0.0}\nid: [\n",
        encoding="utf-8",
    )
    (cases / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    return cases


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _expected(example: Path) -> dict[str, object]:
    instrument = spj.load_instrument(TRAJECTORY / "instrument.yaml")
    return spj.evaluate(instrument, spj.load_assessment(example, instrument)).to_dict()


def test_a_pool_of_two_scores_every_assessment_of_a_folder(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    seen: list[tuple[int, int]] = []
    items = folder_items(folder)
    summary = run_batch(
        items,
        BatchSettings("score", folders=(str(ROOT / "instruments"),)),
        output=out,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    lines = _lines(out)
    assert [line["source"] for line in lines] == [item.source for item in items]
    assert "notes.yaml" not in {line["source"] for line in lines}
    assert (summary.found, summary.skipped, summary.ok, summary.failed) == (len(EXAMPLES) + 1, 0, len(EXAMPLES), 1)
    assert seen[-1] == (len(EXAMPLES) + 1, len(EXAMPLES) + 1)
    by_source = {line["source"]: line for line in lines}
    for example in EXAMPLES:
        line = next(v for k, v in by_source.items() if k.endswith(example.name))
        assert line["ok"] is True
        assert line["evaluation"] == _expected(example)
    broken = by_source["broken.assessment.yaml"]
    assert broken["ok"] is False
    assert [p["code"] for p in broken["problems"]] == ["yaml-syntax"]  # type: ignore[union-attr]


def test_a_second_run_skips_what_is_done_and_redoes_what_changed(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    settings = BatchSettings("score", instrument=spj.load_instrument(TRAJECTORY / "instrument.yaml"))
    run_batch(folder_items(folder), settings, output=out)
    before = out.read_text(encoding="utf-8")
    again = run_batch(folder_items(folder), settings, output=out, workers=2)
    assert (again.skipped, again.ok, again.failed) == (len(EXAMPLES), 0, 1)  # only the broken one is tried again
    assert out.read_text(encoding="utf-8").startswith(before)
    changed = folder / EXAMPLES[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    third = run_batch(folder_items(folder), settings, output=out)
    assert (third.skipped, third.ok) == (len(EXAMPLES) - 1, 1)
    assert [line["source"] for line in _lines(out)[-2:]] == ["broken.assessment.yaml", EXAMPLES[0].name]


def test_a_torn_last_line_is_cut_off_and_its_item_done_again(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    settings = BatchSettings("score", instrument=spj.load_instrument(TRAJECTORY / "instrument.yaml"))
    run_batch(folder_items(folder), settings, output=out)
    whole = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(whole[:-2]) + whole[-2][:40])  # stopped while writing the second-last line
    summary = run_batch(folder_items(folder), settings, output=out)
    assert (summary.skipped, summary.ok) == (len(EXAMPLES) - 2, 2)
    done = [line["source"] for line in _lines(out) if line["ok"]]
    assert sorted(done) == sorted(json.loads(line)["source"] for line in whole if json.loads(line)["ok"])


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"task": "report", "source": "a", "sha256": "b", "ok": true}\n', "not 'score'"), ("hello\n", "JSON Lines")],
)
def test_an_output_file_of_something_else_is_refused_and_left_alone(tmp_path: Path, content: str, message: str) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        run_batch([], BatchSettings("score"), output=out)
    assert caught.value.codes == ["batch-output"]
    assert message in str(caught.value)
    assert caught.value.problems[0].location.line == 1
    assert out.read_text(encoding="utf-8") == content


def test_reports_in_markdown(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(EXAMPLES[0], folder)
    out = tmp_path / "reports.jsonl"
    instrument = spj.load_instrument(TRAJECTORY / "instrument.yaml")
    run_batch(folder_items(folder), BatchSettings("report", instrument=instrument, lang="nl"), output=out)
    (line,) = _lines(out)
    assessment = spj.load_assessment(EXAMPLES[0], instrument)
    expected = spj.render_report(instrument, assessment, spj.evaluate(instrument, assessment), format="md", lang="nl")
    assert (line["ok"], line["format"], line["report"]) == (True, "md", expected)


def test_the_head_revisions_of_a_store(tmp_path: Path) -> None:
    store = open_store("memory:")
    store.create_agency("a1", "Agency")
    content = spj.load_assessment(EXAMPLES[0], spj.load_instrument(TRAJECTORY / "instrument.yaml")).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    store.create_case("a1", content["case"]["id"], actor="u1")
    record, _ = store.create_assessment(
        "a1",
        assessment_id=content["id"],
        case_id=content["case"]["id"],
        instrument_id=content["instrument"]["id"],
        instrument_version=content["instrument"]["version"],
        content=content,
        actor="u1",
    )
    items = store_items(store, "a1")
    assert [item.source for item in items] == [f"store:a1/{record.id}/1"]
    out = tmp_path / "out.jsonl"
    run_batch(items, BatchSettings("score", folders=(str(ROOT / "instruments"),)), output=out)
    (line,) = _lines(out)
    assert line["evaluation"] == _expected(EXAMPLES[0])


def test_no_workers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        run_batch([], BatchSettings("score"), output=tmp_path / "out.jsonl", workers=0)
    assert caught.value.codes == ["invalid-request"]
