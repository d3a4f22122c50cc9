"""Web hooks: the agencies' events posted, signed, to the addresses the deployment declares.

- `signature`: the `Spj-Signature` header (HMAC-SHA256 over a timestamp and the body) and its check;
- `worker`: queue, send, retry with exponential backoff, dead letters; in-process or `spj hooks deliver`.
"""

from __future__ import annotations

from spj.service.hooks.signature import SIGNATURE_HEADER as SIGNATURE_HEADER
from spj.service.hooks.signature import sign as sign
from spj.service.hooks.signature import verify as verify
from spj.service.hooks.worker import Backoff as Backoff
from spj.service.hooks.worker import HookWorker as HookWorker
from spj.service.hooks.worker import RunSummary as RunSummary

__all__ = ["SIGNATURE_HEADER", "Backoff", "HookWorker", "RunSummary", "sign", "verify"]
