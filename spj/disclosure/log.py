"""The disclosure log on file: every extract shown to another agency, append-only and hash-chained.

One JSON object per line. Each entry holds when, who, which agency, which
case, which sections and on which basis, its sequence number, the hash of the
entry before it (`prev`) and its own `hash` = sha256(prev + canonical JSON of
the entry without `hash`). Deleting, reordering or editing an entry breaks the
chain from there on (`verify_log`); a rewrite of the whole file with every hash
recomputed is not detected by the chain alone: keep a copy of the latest hash
elsewhere (the workspace keeps its log in the store, with the rest of its audit
trail) when that matters.

Appends take an exclusive lock on the file, write the line and fsync it before
the extract is shown: an extract whose entry cannot be written is refused.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spj.errors import Code, DisclosureError, Location, Problem

GENESIS = "0" * 64
LOG_NAME = "disclosures.jsonl"


def default_log_path() -> Path:
    """`$XDG_STATE_HOME/spj/disclosures.jsonl`, else `~/.local/state/spj/disclosures.jsonl` (never beside inputs)."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "spj" / LOG_NAME


def entry_hash(entry: dict[str, Any], prev: str) -> str:
    """The chain hash of one entry (its `hash` key ignored)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()


def append_disclosure(
    path: Path,
    *,
    by: str,
    agency: str,
    from_agency: str | None,
    case: str,
    assessment: str,
    sections: Sequence[str],
    basis: str,
    channel: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Append one entry and return it; `DisclosureError` (`disclosure-log`) when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise _log_error(path, f"cannot open the disclosure log ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            last = _last_entry(handle.read(), path)
            entry: dict[str, Any] = {
                "seq": (last["seq"] + 1) if last else 1,
                "at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
                "by": by,
                "agency": agency,
                "from_agency": from_agency,
                "case": case,
                "assessment": assessment,
                "sections": list(sections),
                "basis": basis,
                "channel": channel,
                "prev": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry, entry["prev"])
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise _log_error(path, f"cannot write the disclosure log ({exc.strerror})") from exc
    return entry


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every entry of the log, in order; `DisclosureError` if a line is not an entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise _log_error(path, f"cannot read the disclosure log ({exc.strerror})") from exc
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise DisclosureError(
                Problem(Code.DISCLOSURE_LOG, "not a log entry (broken JSON)", Location(str(path), number, 1))
            ) from None
        if not isinstance(entry, dict):
            raise DisclosureError(Problem(Code.DISCLOSURE_LOG, "not a log entry", Location(str(path), number, 1)))
        entries.append(entry)
    return entries


def verify_log(path: Path) -> list[Problem]:
    """Problems of the chain: a broken hash, a gap or repeat in numbering, a link to the wrong entry."""
    return [
        Problem(Code.DISCLOSURE_LOG, message, Location(str(path), number, 1))
        for number, message in chain_problems(read_log(path))
    ]


def chain_problems(entries: Sequence[dict[str, Any]]) -> list[tuple[int, str]]:
    """(position from 1, message) for each break in a chain of entries: the file log's and the store's."""
    problems = []
    prev, seq = GENESIS, 0
    for number, entry in enumerate(entries, start=1):
        if entry.get("seq") != seq + 1:
            problems.append((number, f"entry {entry.get('seq')!r} follows {seq}: one is missing or moved"))
        if entry.get("prev") != prev:
            problems.append((number, "entry does not link to the one before it"))
        if entry.get("hash") != entry_hash(entry, str(entry.get("prev"))):
            problems.append((number, "entry was changed after it was written (hash differs)"))
        prev, seq = str(entry.get("hash")), int(entry["seq"]) if isinstance(entry.get("seq"), int) else seq + 1
    return problems


def _last_entry(text: str, path: Path) -> dict[str, Any] | None:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        last = json.loads(lines[-1])
    except json.JSONDecodeError:
        raise _log_error(path, f"the last line ({len(lines)}) is not a log entry; run spj audit verify --log") from None
    if not isinstance(last, dict) or not isinstance(last.get("seq"), int) or not isinstance(last.get("hash"), str):
        raise _log_error(path, f"the last line ({len(lines)}) is not a log entry; run spj audit verify --log")
    return last


def _log_error(path: Path, message: str) -> DisclosureError:
    return DisclosureError(Problem(Code.DISCLOSURE_LOG, message + "; the extract was not given", Location(str(path))))
