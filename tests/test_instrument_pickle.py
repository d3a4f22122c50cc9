"""A loaded instrument pickles (for process pools): the copy evaluates exactly like the original."""

from __future__ import annotations

import multiprocessing
import pickle
import shutil
from pathlib import Path

import spj
from spj.instrument import index_of

ROOT = Path(__file__).parent.parent
INSTRUMENT = ROOT / "instruments/disengagement-trajectory/instrument.yaml"
EXAMPLE = ROOT / "instruments/disengagement-trajectory/examples/case-0101.assessment.yaml"


def test_an_unpickled_instrument_evaluates_like_the_original() -> None:
    instrument = spj.load_instrument(INSTRUMENT)
    copy = pickle.loads(pickle.dumps(instrument))
    assert copy is not instrument
    assert copy == instrument
    assert (copy.sha256, copy.source) == (instrument.sha256, instrument.source)
    assert index_of(copy).rule_generations == index_of(instrument).rule_generations
    assessment = spj.load_assessment(EXAMPLE, copy)
    assert spj.evaluate(copy, assessment).to_dict() == spj.evaluate(instrument, assessment).to_dict()


def test_the_pickle_holds_the_content_not_the_path(tmp_path: Path) -> None:
    """The file may change or go after loading: the copy is the instrument that was loaded."""
    path = tmp_path / "instrument.yaml"
    shutil.copy(INSTRUMENT, path)
    instrument = spj.load_instrument(path)
    data = pickle.dumps(instrument)
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.", "version: 9."), encoding="utf-8")
    assert pickle.loads(data).sha256 == instrument.sha256
    path.unlink()
    copy = pickle.loads(data)
    assert copy.sha256 == instrument.sha256
    assert index_of(copy).rules.keys() == index_of(instrument).rules.keys()


def test_unpickling_the_same_instrument_twice_compiles_it_once() -> None:
    data = pickle.dumps(spj.load_instrument(INSTRUMENT))
    first = pickle.loads(data)
    assert pickle.loads(data) is first


def _evaluate_in_child(instrument: spj.Instrument) -> dict[str, object]:
    return spj.evaluate(instrument, spj.load_assessment(EXAMPLE, instrument)).to_dict()


def test_a_spawned_process_evaluates_a_pickled_instrument() -> None:
    instrument = spj.load_instrument(INSTRUMENT)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply(_evaluate_in_child, (instrument,))
    assert result == spj.evaluate(instrument, spj.load_assessment(EXAMPLE, instrument)).to_dict()
