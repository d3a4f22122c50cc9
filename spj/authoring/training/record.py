"""The trainee's training record: one JSON line per submitted rating of a vignette, appended, never rewritten.

It lives in the user's state folder (``$XDG_STATE_HOME/spj/training.jsonl``,
else ``~/.local/state/spj/``), never beside the vignettes, and holds no case:
only vignette ids, the trainee's id and the compared levels. A vignette's
first submission is the one that counts: every later one was made after the
reference was shown.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from spj.authoring.training.errors import TrainingError
from spj.authoring.training.feedback import Comparison
from spj.authoring.training.model import Vignette
from spj.errors import Code, Location, Problem

RECORD_NAME = "training.jsonl"


def default_record_path() -> Path:
    """`$XDG_STATE_HOME/spj/training.jsonl`, else `~/.local/state/spj/training.jsonl`."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "spj" / RECORD_NAME


def append_submission(
    path: Path, *, trainee: str, vignette: Vignette, comparisons: list[Comparison], now: dt.datetime | None = None
) -> dict[str, Any]:
    """Record one submission and return it (with its `attempt` number for this trainee and vignette)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise _record_error(path, f"cannot open the training record ({exc.strerror})") from exc
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        earlier = _parse(handle.read(), path)
        attempt = 1 + sum(1 for e in earlier if e["trainee"] == trainee and e["vignette"] == vignette.id)
        items = [{**c.to_dict(), "levels": list(c.levels)} for c in comparisons]
        for item in items:
            del item["rationale"]  # the vignette has it; the record keeps levels only
        entry: dict[str, Any] = {
            "trainee": trainee,
            "vignette": vignette.id,
            "vignette_sha256": vignette.sha256,
            "instrument": {"id": vignette.instrument_id, "version": vignette.instrument_version},
            "at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "attempt": attempt,
            "items": items,
        }
        try:
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as exc:
            raise _record_error(path, f"cannot write the training record ({exc.strerror})") from exc
    return entry


def read_submissions(path: Path, *, trainee: str) -> list[dict[str, Any]]:
    """The trainee's submissions, oldest first; none when the record does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise _record_error(path, f"cannot read the training record ({exc})") from exc
    return [e for e in _parse(text, path) if e.get("trainee") == trainee]


def submitted(path: Path, *, trainee: str, vignette: str) -> bool:
    """Whether the trainee has submitted a rating of this vignette (and so may see its reference)."""
    return any(e["vignette"] == vignette for e in read_submissions(path, trainee=trainee))


def _parse(text: str, path: Path) -> list[dict[str, Any]]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise _record_error(path, f"line {number} is not a JSON object; the record is damaged") from None
        if not isinstance(entry, dict) or not {"trainee", "vignette", "items"} <= entry.keys():
            raise _record_error(path, f"line {number} is not a training submission; the record is damaged")
        entries.append(entry)
    return entries


def _record_error(path: Path, message: str) -> TrainingError:
    return TrainingError(Problem(Code.TRAINING_RECORD, message, Location(str(path))))
