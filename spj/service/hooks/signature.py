"""The signature of a web hook delivery: `Spj-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`.

The HMAC covers `<t>.` followed by the exact body bytes, with the subscription's secret. A receiver
recomputes it over the body as received, compares in constant time, and refuses a timestamp older than
its tolerance (a replayed delivery). Retries are signed afresh, with the same body.

>>> header = sign(b"secret", b'{"id": 1}', timestamp=1700000000)
>>> verify(b"secret", header, b'{"id": 1}', now=1700000010)
True
>>> verify(b"secret", header, b'{"id": 2}', now=1700000010)
False
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Spj-Signature"
DEFAULT_TOLERANCE = 300  # seconds


def _mac(secret: bytes, body: bytes, timestamp: int) -> str:
    return hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, *, timestamp: int) -> str:
    """The header value signing `body` at `timestamp` (seconds since the epoch)."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def verify(secret: bytes, header: str, body: bytes, *, now: int, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """Whether `header` signs `body` with `secret`, no more than `tolerance` seconds from `now`."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isascii() or not stamp.isdigit() or abs(now - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(_mac(secret, body, int(stamp)), given)
