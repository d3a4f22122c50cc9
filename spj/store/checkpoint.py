"""Audit checkpoints: the head of the sealed audit chain, signed, for an administrator to keep elsewhere.

A checkpoint names the newest audit entry (`seq`) and its seal (`mac`). Since
each seal covers the one before it, the entry's seal fixes every entry up to
it and every revision they wrote: `spj audit verify --against FILE` finds the
entry gone (the trail cut back) or different (history rewritten), even when
whoever changed it holds the key. The checkpoint itself is signed with the
audit key (HMAC), so that it cannot be made up without the key; keep it where
the database's administrators cannot write.

>>> from spj.store import MemoryStore
>>> store = MemoryStore()
>>> checkpoint = make_checkpoint(store)
>>> read_checkpoint_text(json.dumps(checkpoint), store.keyring)
(0, '0000000000000000000000000000000000000000000000000000000000000000')
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spj.errors import Code, Location, Problem, StoreError
from spj.store.hashing import canonical_json, iso_time, utc_now
from spj.store.keys import Keyring

if TYPE_CHECKING:
    from spj.store.interface import Store

FORMAT = "spj-audit-checkpoint/1"
_SIGNED = ("format", "at", "seq", "mac")


def make_checkpoint(store: Store) -> dict[str, Any]:
    """The store's checkpoint now: format, time, the newest entry's seq and seal, key id, signature."""
    seq, mac = store.audit_head()
    body: dict[str, Any] = {"format": FORMAT, "at": iso_time(utc_now()), "seq": seq, "mac": mac}
    key_id, signature = store.keyring.sign(canonical_json(body))
    return {**body, "key_id": key_id, "signature": signature}


def read_checkpoint(path: Path, keyring: Keyring) -> tuple[int, str]:
    """The (seq, seal) a checkpoint file names, its signature checked; `StoreError` (`checkpoint`) otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _bad(f"cannot read the checkpoint ({exc.strerror})", path) from exc
    return read_checkpoint_text(text, keyring, path=path)


def read_checkpoint_text(text: str, keyring: Keyring, *, path: Path | None = None) -> tuple[int, str]:
    """As `read_checkpoint`, from the file's text."""
    try:
        data = json.loads(text)
    except ValueError:
        raise _bad("not a checkpoint (not JSON)", path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(f"not a checkpoint (format is not {FORMAT})", path)
    seq, mac = data.get("seq"), data.get("mac")
    if type(seq) is not int or seq < 0 or not isinstance(mac, str):
        raise _bad("not a checkpoint (seq or mac missing)", path)
    body = {name: data.get(name) for name in _SIGNED}
    signed = keyring.check(str(data.get("key_id")), canonical_json(body), str(data.get("signature")))
    if signed is None:
        raise _bad(f"the checkpoint is signed with key {data.get('key_id')!r}, which is not in the keyring", path)
    if not signed:
        raise _bad("the checkpoint's signature does not match: it was changed or made without the key", path)
    return seq, mac


def _bad(message: str, path: Path | None) -> StoreError:
    return StoreError(Problem(Code.CHECKPOINT, message, Location(file=str(path) if path else None)))
