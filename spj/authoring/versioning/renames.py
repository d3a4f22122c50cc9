"""Indicators that look renamed: gone under one id, back under another with the same texts.

`spj diff` suggests them when the new version declares no rename, so that the
author can add `renamed:` to the migration instead of losing the ratings.

>>> suggest_renames(v1, v2)  # doctest: +SKIP
[('SO2', 'SO5')]
"""

from __future__ import annotations

from typing import Any

from spj.instrument import Instrument
from spj.instrument.model import Indicator


def suggest_renames(
    old: Instrument, new: Instrument, *, declared: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(old id, new id) of indicators removed and added with the same title, guidance and anchors, in new order.

    Ids already accounted for by `declared` renames are left out. An old
    indicator matching several new ones is not suggested: a human decides.
    """
    declared = declared or {}
    old_ids = {i.id for i in old.indicators}
    new_ids = {i.id for i in new.indicators}
    gone = [i for i in old.indicators if i.id not in new_ids and i.id not in declared]
    arrived = [i for i in new.indicators if i.id not in old_ids and i.id not in declared.values()]
    by_texts: dict[Any, list[str]] = {}
    for indicator in gone:
        by_texts.setdefault(_texts(indicator), []).append(indicator.id)
    suggestions = []
    for indicator in arrived:
        matches = by_texts.get(_texts(indicator), [])
        twins = [i for i in arrived if _texts(i) == _texts(indicator)]
        if len(matches) == 1 and len(twins) == 1:
            suggestions.append((matches[0], indicator.id))
    return suggestions


def _texts(indicator: Indicator) -> str:
    dumped = indicator.model_dump(mode="json", include={"title", "guidance", "anchors"})
    return repr(sorted(dumped.items()))
