"""Write output files whole or not at all: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from spj.errors import Code, Location, Problem, RenderError


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; a written report gets the usual permissions.
_FILE_MODE = 0o666 & ~_current_umask()


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
        mode = target.stat().st_mode & 0o777 if target.exists() else _FILE_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise RenderError(Problem(Code.OUTPUT, f"cannot write: {exc.strerror}", Location(str(target)))) from exc


def refuse_overwriting_inputs(output: Path | None, *inputs: Path | None) -> None:
    """Refuse an output path that is one of the command's input files: it would be replaced by the output."""
    if output is None:
        return
    target = output.resolve()
    for given in inputs:
        if given is not None and given.resolve() == target:
            raise RenderError(
                Problem(
                    Code.OUTPUT,
                    f"would overwrite the input file {given}; choose another output file",
                    Location(str(output)),
                )
            )
