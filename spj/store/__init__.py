"""Persistence for the workspace: agency-scoped records, append-only revisions with a hash chain.

>>> store = open_store("memory:")
>>> store.create_agency("a1", "Example agency").name
'Example agency'

`open_store(None)` opens the default SQLite file (see `default_database_url`),
`open_store("sqlite+pysqlite:///path")` or `open_store("postgresql+psycopg://...")`
a given database, migrating it to the newest schema.
"""

from __future__ import annotations

from spj.store.engine import default_data_dir as default_data_dir
from spj.store.engine import default_database_url as default_database_url
from spj.store.interface import Agency as Agency
from spj.store.interface import ApiToken as ApiToken
from spj.store.interface import AssessmentFilter as AssessmentFilter
from spj.store.interface import AssessmentRecord as AssessmentRecord
from spj.store.interface import AuditEvent as AuditEvent
from spj.store.interface import Case as Case
from spj.store.interface import ConflictError as ConflictError
from spj.store.interface import LockedError as LockedError
from spj.store.interface import NotFoundError as NotFoundError
from spj.store.interface import Revision as Revision
from spj.store.interface import Role as Role
from spj.store.interface import Status as Status
from spj.store.interface import Store as Store
from spj.store.interface import User as User
from spj.store.memory import MemoryStore as MemoryStore
from spj.store.sql import SqlStore as SqlStore

MEMORY_URL = "memory:"

__all__ = [
    "MEMORY_URL",
    "Agency",
    "ApiToken",
    "AssessmentFilter",
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
