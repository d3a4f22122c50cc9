"""Canonical JSON and the hash chain of revisions.

A revision's `content_sha256` is the sha256 of the canonical JSON of its
content; its `chain_sha256` covers the previous revision's chain hash and the
revision's own facts, so changing any revision breaks every later link.

>>> canonical_json({"b": 1, "a": "é"})
'{"a":"é","b":1}'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from spj.errors import Code, Location, Problem, StoreError


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces, UTF-8 kept; NaN and infinities refused."""
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(
            Problem(Code.INVALID_REQUEST, f"the content cannot be stored as JSON: {exc}", Location())
        ) from exc


def sha256_hex(text: str) -> str:
    """The sha256 of `text` (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_sha256(content: Any) -> str:
    """The hash of a revision's content: sha256 of its canonical JSON."""
    return sha256_hex(canonical_json(content))


def iso_time(at: dt.datetime) -> str:
    """The time as hashed: UTC, ISO 8601, always with microseconds.

    >>> iso_time(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc))
    '2024-05-01T12:00:00.000000+00:00'
    """
    if at.tzinfo is None:
        raise ValueError("a revision time must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def chain_sha256(
    *,
    previous: str | None,
    assessment_id: str,
    number: int,
    author_id: str,
    created_at: dt.datetime,
    status: str,
    content_hash: str,
) -> str:
    """The link of a revision in its assessment's chain."""
    fields = [previous or "", assessment_id, number, author_id, iso_time(created_at), status, content_hash]
    return sha256_hex(canonical_json(fields))


def utc_now() -> dt.datetime:
    """Now, in UTC, to the microsecond (what both databases keep)."""
    return dt.datetime.now(dt.UTC)
