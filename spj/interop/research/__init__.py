"""Research exports: long-format CSV with a Frictionless data dictionary, de-identified by default; the audit export."""

from __future__ import annotations

from spj.interop.research.audit import export_audit as export_audit
from spj.interop.research.keys import ResearchKey as ResearchKey
from spj.interop.research.keys import create_key as create_key
from spj.interop.research.keys import read_key as read_key
from spj.interop.research.package import export_research as export_research
from spj.interop.research.rows import Privacy as Privacy

__all__ = ["Privacy", "ResearchKey", "create_key", "export_audit", "export_research", "read_key"]
