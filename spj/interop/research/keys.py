"""The research key: keyed-hash pseudonyms and per-case date shifts, with the key kept apart from every export.

A pseudonym is HMAC-SHA256(key, kind + id), so the same case has the same
pseudonym in every export made with the same key (follow-up studies link up),
and nobody without the key can recompute it from a guessed case id. A date
moves by a whole number of days chosen by the same key per case, so intervals
within a case are kept and calendar dates are not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from spj.errors import Code, ExportError, Location, Problem

KEY_BYTES = 32
MAX_SHIFT_DAYS = 182


@dataclass(frozen=True, repr=False)
class ResearchKey:
    """A secret of at least 32 bytes; `key_id` names it in an export without revealing it."""

    secret: bytes

    def __repr__(self) -> str:
        return f"ResearchKey(key_id={self.key_id!r})"  # never the secret

    @property
    def key_id(self) -> str:
        """The first 12 hex digits of sha256("spj-key-id" + key): which key made an export."""
        return hashlib.sha256(b"spj-key-id\0" + self.secret).hexdigest()[:12]

    def pseudonym(self, kind: str, ident: str) -> str:
        """`kind`'s initial, a dash and 16 hex digits of the keyed hash (the kinds never collide).

        >>> ResearchKey(bytes(32)).pseudonym("case", "CASE-0001")
        'C-5149254c36bba721'
        """
        digest = hmac.new(self.secret, f"{kind}\0{ident}".encode(), hashlib.sha256).hexdigest()
        return f"{kind[0].upper()}-{digest[:16]}"

    def shift(self, case_id: str) -> dt.timedelta:
        """The case's date shift: the same for every date of the case, 1 to 182 days either way, never zero.

        A zero shift would publish the case's true dates (one case in 365 did before).
        """
        digest = hmac.new(self.secret, f"date-shift\0{case_id}".encode(), hashlib.sha256).digest()
        days = int.from_bytes(digest[:4], "big") % MAX_SHIFT_DAYS + 1
        return dt.timedelta(days=days if digest[4] & 1 else -days)


def create_key(path: Path) -> ResearchKey:
    """Write a new random key to `path` (owner-only, 0600); an existing file is never overwritten."""
    key = ResearchKey(secrets.token_bytes(KEY_BYTES))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ExportError(
            Problem(Code.EXPORT_KEY, "a key file is already there; it is kept as it is", Location(str(path)))
        ) from None
    except OSError as exc:
        raise ExportError(
            Problem(Code.EXPORT_KEY, f"cannot write the key: {exc.strerror}", Location(str(path)))
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.secret.hex() + "\n")
    return key


def read_key(path: Path, *, export_to: Path | None = None) -> ResearchKey:
    """The key in `path` (hex, at least 32 bytes); refused inside `export_to`, where it would travel with the data."""
    if export_to is not None and path.resolve().is_relative_to(export_to.resolve()):
        raise ExportError(
            Problem(
                Code.EXPORT_KEY,
                "the key is inside the export folder; keep it apart, or the pseudonyms can be undone",
                Location(str(path)),
            )
        )
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ExportError(
            Problem(
                Code.EXPORT_KEY,
                "no key file here; make one with `spj export key FILE` and keep it apart from the exports",
                Location(str(path)),
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(Problem(Code.EXPORT_KEY, f"cannot read the key: {exc}", Location(str(path)))) from exc
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < KEY_BYTES:
        raise ExportError(
            Problem(
                Code.EXPORT_KEY,
                f"not a key: expected at least {KEY_BYTES} bytes in hex; make one with `spj export key FILE`",
                Location(str(path)),
            )
        )
    return ResearchKey(secret)
