"""Write output files whole or not at all: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import Code, Location, Problem, RenderError


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Write `content` to `path` atomically; a failure leaves no partial file."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise RenderError(Problem(Code.OUTPUT, f"cannot write here: {exc.strerror}", Location(str(target)))) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise RenderError(Problem(Code.OUTPUT, f"cannot write: {exc.strerror}", Location(str(target)))) from exc
