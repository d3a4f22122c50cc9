"""Instruments: the model (data), the loader (YAML with locations) and the checks."""

from __future__ import annotations

from spj.instrument.index import InstrumentIndex as InstrumentIndex
from spj.instrument.index import index_of as index_of
from spj.instrument.loader import load_instrument as load_instrument
from spj.instrument.loader import parse_instrument as parse_instrument
from spj.instrument.model import Instrument as Instrument

__all__ = ["Instrument", "InstrumentIndex", "index_of", "load_instrument", "parse_instrument"]
