"""Checking an assessment's revision chain: the logic both stores' `verify()` share.

After the final revision only status updates may follow: final revisions that
change nothing but the delivery of a plan step (`spj.assessment.final_changes`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from spj.assessment.final_changes import changes_after_final
from spj.errors import format_path
from spj.store.hashing import chain_sha256, sha256_hex


@dataclass(frozen=True)
class StoredRevision:
    """A revision as stored: the content as its canonical JSON text."""

    assessment_id: str
    number: int
    author_id: str
    created_at: dt.datetime
    status: str
    content_json: str
    content_sha256: str
    previous_chain_sha256: str | None
    chain_sha256: str


def check_assessment(assessment_id: str, head: int, status: str, revisions: Iterable[StoredRevision]) -> list[str]:
    """Problems with one assessment's revisions (given in number order); empty when the chain holds."""
    problems: list[str] = []
    where = f"assessment {assessment_id}"
    expected_number = 1
    previous_chain: str | None = None
    last: StoredRevision | None = None
    for rev in revisions:
        at = f"{where} revision {rev.number}"
        if rev.number != expected_number:
            problems.append(f"{at}: expected revision {expected_number} (numbering has a gap or a duplicate)")
        expected_number = rev.number + 1
        try:
            json.loads(rev.content_json)
        except ValueError:
            problems.append(f"{at}: content is not valid JSON")
        computed_content = sha256_hex(rev.content_json)
        if computed_content != rev.content_sha256:
            problems.append(f"{at}: content hash mismatch (content was changed after saving)")
        if rev.previous_chain_sha256 != previous_chain:
            problems.append(f"{at}: link to the previous revision does not match its chain hash")
        computed_chain = chain_sha256(
            previous=rev.previous_chain_sha256,
            assessment_id=rev.assessment_id,
            number=rev.number,
            author_id=rev.author_id,
            created_at=rev.created_at,
            status=rev.status,
            content_hash=rev.content_sha256,
        )
        if computed_chain != rev.chain_sha256:
            problems.append(f"{at}: chain hash mismatch (author, time, status or hash changed after saving)")
        if last is not None and last.status == "final":
            problems += _after_final(at, last, rev)
        previous_chain = rev.chain_sha256
        last = rev
    if last is None:
        problems.append(f"{where}: has no revisions (head is {head})")
        return problems
    if last.number != head:
        problems.append(f"{where}: head is revision {head} but the last revision is {last.number}")
    if (status == "final") != (last.status == "final"):
        problems.append(f"{where}: status is {status} but the last revision is {last.status}")
    return problems


def _after_final(at: str, final: StoredRevision, rev: StoredRevision) -> list[str]:
    """A revision after a final one is a status update: final too, and only the delivery of a step changed."""
    if rev.status != "final":
        return [f"{at}: saved after the final revision {final.number}"]
    try:
        before, after = json.loads(final.content_json), json.loads(rev.content_json)
    except ValueError:
        return []  # reported as invalid JSON above
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [f"{at}: saved after the final revision {final.number}"]
    changed = changes_after_final(before, after)
    if not changed:
        return []
    return [
        f"{at}: changed {', '.join(format_path(p) for p in changed)} after the final revision {final.number} "
        "(only the delivery of a plan step may change; amend the assessment instead)"
    ]
