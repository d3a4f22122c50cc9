"""Instruments: the model (data), the loader (YAML with locations) and the checks."""

from __future__ import annotations

from .index import InstrumentIndex as InstrumentIndex
from .index import index_of as index_of
from .loader import load_instrument as load_instrument
from .loader import parse_instrument as parse_instrument
from .model import Instrument as Instrument

__all__ = ["Instrument", "InstrumentIndex", "index_of", "load_instrument", "parse_instrument"]
