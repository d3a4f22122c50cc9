"""The query of `GET /api/v1/assessments` (filters, page size) and its opaque cursors.

A cursor names the last assessment of the page before, base64url-encoded so
clients treat it as opaque; the service checks that it names an assessment of
the caller's agency. A malformed cursor is 422 at `query.cursor`.

>>> decode_cursor(encode_cursor("A-0001"))
'A-0001'
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from spj.service.errors import InvalidRequestError

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
_PREFIX = "after:"
_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")
PAGE_HEADERS: dict[str, Any] = {
    "Next-Cursor": {
        "description": "the cursor of the next page; absent on the last page",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'the next page\'s address, `rel="next"`; absent on the last page',
        "schema": {"type": "string"},
    },
}


class AssessmentQuery(BaseModel):
    """Which assessments to list, and how many at a time."""

    status: Literal["draft", "final"] | None = Field(None, description="only drafts, or only final assessments")
    case: str | None = Field(None, min_length=1, max_length=100, description="only the assessments of this case")
    case_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="the same as `case` (older name)",
        json_schema_extra={"deprecated": True},
    )
    updated_since: AwareDatetime | None = Field(
        None, description="only those changed at or after this time (ISO 8601, with a time zone)"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="at most this many on a page")
    cursor: str | None = Field(
        None, min_length=1, max_length=200, description="where to go on: the `Next-Cursor` of the page before"
    )

    def case_id_wanted(self) -> str | None:
        """The case asked for, under either name; both, differing, is an error."""
        if self.case is not None and self.case_id is not None and self.case != self.case_id:
            raise InvalidRequestError("case and case_id name different cases; send one", "query", "case")
        return self.case if self.case is not None else self.case_id


def encode_cursor(assessment_id: str) -> str:
    """The cursor of the page after `assessment_id`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{assessment_id}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The assessment id a cursor names; `InvalidRequestError` at `query.cursor` when it is not a cursor."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidRequestError("not a cursor: pass the Next-Cursor of the page before", "query", "cursor") from exc
    assessment_id = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not _ID.fullmatch(assessment_id):
        raise InvalidRequestError("not a cursor: pass the Next-Cursor of the page before", "query", "cursor")
    return assessment_id
