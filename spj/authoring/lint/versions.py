"""A content change without a new version: compared with a previous version of the instrument.

Assessments record the instrument's id and version; two different contents
under one version make those records ambiguous. `spj lint --against FILE`
(or `--against git:REF`, the file as it was in git) warns when the content
hash differs but the version does not.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from spj.authoring.lint.context import LintContext
from spj.authoring.lint.model import LintCode, LintWarning
from spj.errors import Code, InstrumentError, Location, Problem
from spj.instrument import Instrument
from spj.instrument.loader import parse_instrument


def version_warnings(ctx: LintContext, previous: Instrument) -> list[LintWarning]:
    """`version-not-bumped` when `previous` has the same id and version but another content."""
    current = ctx.instrument
    if previous.id != current.id or previous.version != current.version or previous.sha256 == current.sha256:
        return []
    from spj.authoring.versioning.diff import diff_instruments

    changes = diff_instruments(previous, current)
    what = sorted({item.section for item in changes.items} | ({"texts"} if changes.texts else set()))
    major, minor = current.version.split("-")[0].split(".")[:2]  # a semantic version, by the schema
    suggestion = f"{major}.{int(minor) + 1}.0"
    return [
        ctx.warning(
            LintCode.VERSION_NOT_BUMPED,
            f"the content differs from {previous.source or 'the previous version'} ({', '.join(what) or 'content'} "
            f"changed) but the version is still {current.version}: assessments could not tell the two apart; "
            f"change version (to {suggestion} for example) and say how assessments carry over (migrations:)",
            ("version",),
            subject=current.version,
        )
    ]


def load_previous(spec: str, current: Path) -> Instrument:
    """The instrument to compare with: a file, or `git:REF` for `current` as it was at REF (`git:HEAD`)."""
    if not spec.startswith("git:"):
        from spj.instrument import load_instrument

        return load_instrument(spec)
    ref = spec[len("git:") :] or "HEAD"
    folder = current.resolve().parent
    name = f"{spec} ({current})"
    try:
        root = _git(["rev-parse", "--show-toplevel"], folder).strip()
        relative = current.resolve().relative_to(Path(root).resolve()).as_posix()
        text = _git(["show", f"{ref}:{relative}"], folder)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        detail = (
            exc.stderr.strip().splitlines()[-1]
            if isinstance(exc, subprocess.CalledProcessError) and exc.stderr
            else str(exc)
        )
        raise InstrumentError(
            Problem(
                Code.FILE_NOT_FOUND,
                f"cannot read {current} at {ref} from git ({detail}); give the previous version as a file instead",
                Location(name),
            )
        ) from exc
    return parse_instrument(text, file=name)


def _git(args: list[str], folder: Path) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=30).stdout
