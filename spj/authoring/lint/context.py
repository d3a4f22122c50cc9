"""What every lint check sees: the loaded instrument, its index, and where things are."""

from __future__ import annotations

from dataclasses import dataclass

from spj.authoring.lint.model import LintCode, LintWarning
from spj.errors import Location
from spj.files.yamlsource import Document, PathT
from spj.instrument.index import InstrumentIndex
from spj.instrument.model import Instrument


@dataclass(frozen=True)
class LintContext:
    """A loaded instrument with its parsed source (None when only the model is known)."""

    instrument: Instrument
    index: InstrumentIndex
    document: Document | None
    file: str | None

    def locate(self, path: PathT) -> Location:
        """The source position of `path`, or just the path when there is no source."""
        if self.document is None:
            return Location(self.file, None, None, tuple(path))
        return self.document.locate(path)

    def locate_in_expression(self, path: PathT, offset: int, source: str) -> Location:
        """The position of character `offset` of the expression at `path`."""
        if self.document is None:
            return Location(self.file, None, None, tuple(path))
        return self.document.locate_in_scalar(path, offset, source)

    def warning(self, code: LintCode, message: str, path: PathT, *, subject: str | None = None) -> LintWarning:
        """A warning located at `path`, about `subject` (by default, what `path` points into)."""
        return LintWarning(code, message, self.locate(path), subject)
