"""The audit key: the secret, kept outside the database, that seals the audit trail (HMAC-SHA256).

A keyring holds one or more keys, each with an id; the last one signs, the
others still verify what they signed (rotation: add a new key at the end,
keep the old ones). Where the keys come from, first found wins:

1. `SPJ_AUDIT_KEY`: `ID:HEX` (several separated by commas, the last one signs);
2. `SPJ_AUDIT_KEY_FILE`: a file of lines `ID HEX` (`#` starts a comment), the last one signs;
3. the file `audit.key` in the data folder (`spj.store.engine.default_data_dir`),
   created with a new key (mode 0600) when absent. Move it elsewhere and point
   `SPJ_AUDIT_KEY_FILE` at it: a key beside the database protects against
   nobody who can read the database's folder.

>>> ring = Keyring.parse("k1 " + "ab" * 32)
>>> ring.current.id
'k1'
>>> len(ring.sign("some text")[1])
64
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from spj.errors import Code, Location, Problem, StoreError
from spj.store.engine import default_data_dir

KEY_ENV = "SPJ_AUDIT_KEY"
KEY_FILE_ENV = "SPJ_AUDIT_KEY_FILE"
DEFAULT_KEY_NAME = "audit.key"
MIN_SECRET_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class AuditKey:
    """One key: its id (stored beside each seal) and its secret (never stored in the database)."""

    id: str
    secret: bytes

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"AuditKey(id={self.id!r})"


def _key_error(message: str, where: str = "") -> StoreError:
    return StoreError(Problem(Code.AUDIT_KEY, message, Location(file=where or None)))


class Keyring:
    """The keys that seal and verify the audit trail; `current` (the last) seals."""

    def __init__(self, keys: list[AuditKey], *, source: str = "") -> None:
        if not keys:
            raise _key_error("no audit key given", source)
        self.keys = {k.id: k for k in keys}
        if len(self.keys) != len(keys):
            raise _key_error("an audit key id is given twice", source)
        self.current = keys[-1]
        self.source = source

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self.keys)!r}, source={self.source!r})"

    @classmethod
    def generate(cls, key_id: str = "k1") -> Keyring:
        """A keyring with one new random key (tests, the in-memory store)."""
        return cls([AuditKey(key_id, secrets.token_bytes(32))], source="generated")

    @classmethod
    def parse(cls, text: str, *, source: str = "") -> Keyring:
        """Keys from lines `ID HEX` (or `ID:HEX`, comma-separated); `audit-key` problems name the line."""
        keys = []
        for number, raw in enumerate(text.splitlines(), start=1):
            for item in raw.split("#", 1)[0].split(","):  # a comment first, then keys separated by commas
                if item.strip():
                    keys.append(_parse_key(item.strip(), f"{source}:{number}" if source else f"key {number}"))
        return cls(keys, source=source)

    def sign(self, text: str) -> tuple[str, str]:
        """(key id, HMAC-SHA256 hex) of `text` with the current key."""
        return self.current.id, _mac(self.current.secret, text)

    def check(self, key_id: str | None, text: str, mac: str | None) -> bool | None:
        """Whether `mac` is the seal of `text` under key `key_id`; None when that key is not in the ring."""
        key = self.keys.get(key_id or "")
        if key is None:
            return None
        return mac is not None and hmac.compare_digest(_mac(key.secret, text), mac)


def _parse_key(item: str, where: str) -> AuditKey:
    parts = re.split(r"[\s:]+", item)
    if len(parts) != 2 or not _KEY_ID.fullmatch(parts[0]):
        raise _key_error(f"{where}: expected 'ID HEX' (an id of letters, digits, . _ -, then the secret)")
    try:
        secret = bytes.fromhex(parts[1])
    except ValueError:
        raise _key_error(f"{where}: the secret of key {parts[0]!r} is not hexadecimal") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise _key_error(f"{where}: the secret of key {parts[0]!r} is shorter than {MIN_SECRET_BYTES} bytes")
    return AuditKey(parts[0], secret)


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def new_key_line(key_id: str) -> str:
    """A line for a key file: `ID HEX` with 32 random bytes (`spj audit keygen`)."""
    if not _KEY_ID.fullmatch(key_id):
        raise _key_error(f"key id {key_id!r}: use letters, digits, '.', '_' or '-' (at most 100)")
    return f"{key_id} {secrets.token_hex(32)}"


def load_keyring(data_dir: Path | None = None) -> Keyring:
    """The keyring of this process: `SPJ_AUDIT_KEY`, else `SPJ_AUDIT_KEY_FILE`, else the data folder's key file."""
    if text := os.environ.get(KEY_ENV, "").strip():
        return Keyring.parse(text, source=f"${KEY_ENV}")
    if file := os.environ.get(KEY_FILE_ENV, "").strip():
        return _read(Path(file).expanduser())
    path = (data_dir or default_data_dir()) / DEFAULT_KEY_NAME
    if not path.exists():
        _create(path)
    return _read(path)


def _read(path: Path) -> Keyring:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _key_error(f"cannot read the audit key file ({exc.strerror}); set {KEY_FILE_ENV}", str(path)) from exc
    return Keyring.parse(text, source=str(path))


def _create(path: Path) -> None:
    """Write a new key file atomically: written aside, then linked in place (a process that lost the race keeps
    the winner's file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# spj audit keys: one 'ID HEX' per line, the last one seals. Keep a copy elsewhere.\n")
            handle.write(new_key_line("k1") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    except OSError as exc:
        raise _key_error(f"cannot create the audit key file ({exc.strerror}); set {KEY_FILE_ENV}", str(path)) from exc
