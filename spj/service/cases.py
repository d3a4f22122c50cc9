"""Cases as a case system sees them: an id (a pseudonym, or one spj makes), the system's own reference, metadata.

A case system keeps its own number for a case (`CMS/2026/7`), which is often not a good pseudonym and
may contain characters an id may not. So the case id stays a pseudonym (`CASE_ID_PATTERN`; made by spj
when not given) and the system's number goes beside it as `external_ref`: unique in the agency,
searchable, changeable. `metadata` is the system's own small map of keys to plain values.

A `PATCH` is a JSON Merge Patch (RFC 7386) over `{external_ref, metadata}`: a key set to null is removed.
"""

from __future__ import annotations

import uuid
from typing import Any

from spj.service.auth import require_role
from spj.service.content import IDENTIFIER, check_identifier
from spj.service.errors import InvalidRequestError
from spj.service.merge_patch import merge_patch
from spj.store.interface import Case, NotFoundError, Role, Store, User

CASE_ID_PATTERN = "^" + IDENTIFIER.pattern + "$"
MAX_METADATA_KEYS = 50
MAX_METADATA_VALUE = 1000
_STAFF: tuple[Role, ...] = ("assessor", "reviewer", "administrator")


def _agency(user: User, what: str) -> str:
    """The agency whose cases the user works on; for a partner account none: `what` is not found."""
    if user.role not in _STAFF:
        raise NotFoundError(what)
    return user.agency_id


def new_case_id() -> str:
    """A new case id: random, so that it tells nothing."""
    return f"C-{uuid.uuid4().hex}"


def check_metadata(metadata: Any) -> dict[str, Any]:
    """`metadata` if it is a map of at most `MAX_METADATA_KEYS` keys to strings, numbers, booleans."""
    if not isinstance(metadata, dict):
        raise InvalidRequestError("metadata must be an object of keys and plain values", "body", "metadata")
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidRequestError(f"metadata has more than {MAX_METADATA_KEYS} keys", "body", "metadata")
    for key, value in metadata.items():
        if not (1 <= len(key) <= 100):
            raise InvalidRequestError("a metadata key is 1 to 100 characters", "body", "metadata")
        if isinstance(value, str):
            if len(value) > MAX_METADATA_VALUE:
                raise InvalidRequestError(
                    f"at most {MAX_METADATA_VALUE} characters in a metadata value", "body", "metadata", key
                )
        elif not isinstance(value, bool | int | float):
            raise InvalidRequestError("a metadata value is a string, a number or a boolean", "body", "metadata", key)
    return metadata


def create_case(
    store: Store,
    user: User,
    *,
    case_id: str | None,
    external_ref: str | None,
    metadata: dict[str, Any] | None,
) -> Case:
    """A new case of the user's agency; 409 (`conflict`) when the id or the external reference is taken."""
    require_role(user, *_STAFF)
    agency_id = user.agency_id
    chosen = check_identifier(case_id, "case_id") if case_id is not None else new_case_id()
    return store.create_case(
        agency_id, chosen, actor=user.id, external_ref=external_ref, metadata=check_metadata(metadata or {})
    )


def list_cases(store: Store, user: User, *, external_ref: str | None = None) -> list[Case]:
    """The agency's cases (the one with this external reference, when given), oldest first."""
    require_role(user, *_STAFF)
    return store.list_cases(user.agency_id, external_ref=external_ref)


def get_case(store: Store, user: User, case_id: str) -> Case:
    """One case of the user's agency (another agency's is not found)."""
    return store.get_case(_agency(user, f"case {case_id}"), case_id)


def patch_case(store: Store, user: User, case_id: str, patch: dict[str, Any]) -> Case:
    """Apply a merge patch to the case's `external_ref` and `metadata`; other keys are refused."""
    unknown = sorted(set(patch) - {"external_ref", "metadata"})
    if unknown:
        raise InvalidRequestError(
            f"{unknown[0]!r} cannot be changed; a case's external_ref and metadata can", "body", unknown[0]
        )
    case = get_case(store, user, case_id)
    current = {"external_ref": case.external_ref, "metadata": case.metadata}
    merged = merge_patch(current, patch)
    external_ref = merged.get("external_ref")
    if external_ref is not None and not (isinstance(external_ref, str) and 1 <= len(external_ref) <= 200):
        raise InvalidRequestError("external_ref is a string of 1 to 200 characters, or null", "body", "external_ref")
    metadata = check_metadata(merged.get("metadata") or {})
    return store.update_case(user.agency_id, case_id, actor=user.id, external_ref=external_ref, metadata=metadata)
