"""The audit-log export for the data-protection officer: who did what to which assessment, and what was shared.

From the store, for one agency: every audit event (`audit.csv`) and every
extract its cases gave to another agency (`disclosures.csv`), as a
Frictionless data package. Identified on purpose (the officer answers access
requests and checks lawful use); the chains are verified first, and an export
of a store whose history does not verify says so in its descriptor.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from spj.interop.research.package import csv_text, write_folder
from spj.store.interface import Store

AUDIT_FIELDS = ("id", "at", "actor", "agency", "action", "assessment", "revision", "detail")
DISCLOSURE_FIELDS = ("seq", "at", "by", "agency", "from_agency", "case", "assessment", "sections", "basis", "channel")
_TYPES = {"id": "integer", "seq": "integer", "revision": "integer", "at": "datetime"}


def export_audit(store: Store, agency_id: str, folder: Path) -> dict[str, Any]:
    """Write the agency's audit events and disclosures to `folder` (a new folder); its descriptor is returned."""
    events = [
        {
            "id": str(e.id),
            "at": _iso(e.at),
            "actor": e.actor_id,
            "agency": e.agency_id,
            "action": e.action,
            "assessment": e.assessment_id or "",
            "revision": "" if e.revision is None else str(e.revision),
            "detail": e.detail,
        }
        for e in store.audit_events(agency_id)
    ]
    disclosures = [
        {**{k: str(e.get(k) or "") for k in DISCLOSURE_FIELDS}, "sections": " ".join(e.get("sections", []))}
        for e in store.disclosures.entries(from_agency=agency_id)
    ]
    problems = store.verify() + store.disclosures.verify()
    descriptor = {
        "name": "spj-audit-export",
        "title": f"Audit log and disclosures of agency {agency_id}",
        "created": _iso(dt.datetime.now(dt.UTC)),
        "resources": [
            _resource("audit", "Every audit event of the agency, oldest first.", AUDIT_FIELDS),
            _resource("disclosures", "Every extract of the agency's cases given to another agency.", DISCLOSURE_FIELDS),
        ],
        "spj": {"agency": agency_id, "history_verified": not problems, "verification_problems": problems},
    }
    write_folder(
        folder,
        {
            "audit.csv": csv_text(AUDIT_FIELDS, events),
            "disclosures.csv": csv_text(DISCLOSURE_FIELDS, disclosures),
            "datapackage.json": json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
        },
    )
    return descriptor


def _iso(at: dt.datetime | str) -> str:
    if isinstance(at, str):
        return at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _resource(name: str, description: str, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": description,
        "schema": {"fields": [{"name": f, "type": _TYPES.get(f, "string")} for f in fields]},
    }
