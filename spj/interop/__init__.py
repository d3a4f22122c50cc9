"""Exchange with case systems and research: batch runs, research exports, FHIR R4.

Above the store (an export may read it), below the service, the API and the CLI.
"""

from __future__ import annotations

from spj.interop.batch import BatchSummary as BatchSummary
from spj.interop.batch import run_batch as run_batch
from spj.interop.batch_items import BatchItem as BatchItem
from spj.interop.batch_items import folder_items as folder_items
from spj.interop.batch_items import store_items as store_items
from spj.interop.batch_worker import BatchSettings as BatchSettings

__all__ = ["BatchItem", "BatchSettings", "BatchSummary", "folder_items", "run_batch", "store_items"]
