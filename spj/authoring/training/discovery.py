"""The vignettes shipped beside an instrument: ``vignettes/*.vignette.yaml`` in its folder."""

from __future__ import annotations

from pathlib import Path

VIGNETTE_GLOB = "*.vignette.yaml"


def vignette_paths(instrument_file: str | Path) -> list[Path]:
    """The vignette files beside `instrument_file`, by name."""
    return sorted((Path(instrument_file).parent / "vignettes").glob(VIGNETTE_GLOB))
