"""The register of certified experts: one JSON line per certification, appended, never rewritten.

Each entry: the expert's rater id, the instrument id and version, the date,
the figures that met the deployment's requirement (or the version it was
carried over from). It lives in the user's state folder
(``$XDG_STATE_HOME/spj/certifications.jsonl``) unless ``--register`` says otherwise.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spj.authoring.certification.errors import CertificationError
from spj.errors import Code, Location, Problem

REGISTER_NAME = "certifications.jsonl"


@dataclass(frozen=True, slots=True)
class Certification:
    """One expert certified on one instrument version."""

    expert: str
    instrument: str
    version: str
    date: str
    basis: dict[str, Any]
    """The figures and the requirement, or ``{"carried_from": VERSION, ...}``."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (one line of the register)."""
        return {
            "expert": self.expert,
            "instrument": {"id": self.instrument, "version": self.version},
            "date": self.date,
            "basis": self.basis,
        }


def default_register_path() -> Path:
    """`$XDG_STATE_HOME/spj/certifications.jsonl`, else `~/.local/state/spj/certifications.jsonl`."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "spj" / REGISTER_NAME


def append_certification(path: Path, certification: Certification) -> None:
    """Add one line to the register, under an exclusive lock, synced before returning."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            _parse(handle.read(), path)  # refuse to append to a damaged register
            handle.write(json.dumps(certification.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise _register_error(path, f"cannot write the certification register ({exc.strerror})") from exc


def read_register(path: Path) -> list[Certification]:
    """Every certification, oldest first; none when the register does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise _register_error(path, f"cannot read the certification register ({exc})") from exc
    return _parse(text, path)


def certification_of(path: Path, expert: str, instrument: str, version: str) -> Certification | None:
    """The expert's latest certification on this instrument version, or None."""
    found = [c for c in read_register(path) if (c.expert, c.instrument, c.version) == (expert, instrument, version)]
    return found[-1] if found else None


def _parse(text: str, path: Path) -> list[Certification]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            out.append(
                Certification(
                    expert=str(entry["expert"]),
                    instrument=str(entry["instrument"]["id"]),
                    version=str(entry["instrument"]["version"]),
                    date=str(entry["date"]),
                    basis=dict(entry["basis"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise _register_error(path, f"line {number} is not a certification; the register is damaged") from None
    return out


def _register_error(path: Path, message: str) -> CertificationError:
    return CertificationError(Problem(Code.CERTIFICATION_REGISTER, message, Location(str(path))))
