"""Autosave buffers in every store: one per person and draft, replaced, kept apart from the revisions."""

from __future__ import annotations

from spj.store import MemoryStore
from spj.store.drafts import DraftBuffer
from spj.store.sql import SqlStore


def test_a_buffer_is_kept_replaced_and_discarded(store: MemoryStore | SqlStore) -> None:
    assert store.drafts.get("north", "A-1", "u-1") is None
    store.drafts.put(DraftBuffer("north", "A-1", "u-1", 1, {"formulation": ["first"]}))
    store.drafts.put(DraftBuffer("north", "A-1", "u-2", 1, {"formulation": ["someone else's"]}))
    store.drafts.put(DraftBuffer("north", "A-1", "u-1", 2, {"formulation": ["second, with ‘quotes’ and é"]}))
    kept = store.drafts.get("north", "A-1", "u-1")
    assert kept is not None and kept.base == 2
    assert kept.fields == {"formulation": ["second, with ‘quotes’ and é"]}
    assert store.drafts.get("south", "A-1", "u-1") is None  # scoped by agency
    store.drafts.discard("north", "A-1", "u-1")
    assert store.drafts.get("north", "A-1", "u-1") is None
    other = store.drafts.get("north", "A-1", "u-2")
    assert other is not None and other.fields == {"formulation": ["someone else's"]}
    store.drafts.discard("north", "A-1", "u-1")  # discarding nothing is not an error
