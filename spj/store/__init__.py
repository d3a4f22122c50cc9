"""Persistence for the workspace: agency-scoped records, append-only revisions with a hash chain.

>>> store = open_store("memory:")
>>> store.create_agency("a1", "Example agency").name
'Example agency'

`open_store(None)` opens the default SQLite file (see `default_database_url`),
`open_store("sqlite+pysqlite:///path")` or `open_store("postgresql+psycopg://...")`
a given database, migrating it to the newest schema.
"""

from __future__ import annotations

from .engine import default_data_dir as default_data_dir
from .engine import default_database_url as default_database_url
from .interface import Agency as Agency
from .interface import ApiToken as ApiToken
from .interface import AssessmentRecord as AssessmentRecord
from .interface import AuditEvent as AuditEvent
from .interface import Case as Case
from .interface import ConflictError as ConflictError
from .interface import LockedError as LockedError
from .interface import NotFoundError as NotFoundError
from .interface import Revision as Revision
from .interface import Role as Role
from .interface import Status as Status
from .interface import Store as Store
from .interface import User as User
from .memory import MemoryStore as MemoryStore
from .sql import SqlStore as SqlStore

MEMORY_URL = "memory:"

__all__ = [
    "MEMORY_URL",
    "Agency",
    "ApiToken",
    "AssessmentRecord",
    "AuditEvent",
    "Case",
    "ConflictError",
    "LockedError",
    "MemoryStore",
    "NotFoundError",
    "Revision",
    "Role",
    "SqlStore",
    "Status",
    "Store",
    "User",
    "default_data_dir",
    "default_database_url",
    "open_store",
]


def open_store(url: str | None = None) -> SqlStore | MemoryStore:
    """The store at `url` (default: the SQLite file in the data folder; `"memory:"`: in memory), migrated."""
    if url == MEMORY_URL:
        return MemoryStore()
    return SqlStore(url or default_database_url())
