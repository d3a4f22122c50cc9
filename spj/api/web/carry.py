"""Carrying a form over a sign-in: a save posted after the session ended is shown back, never dropped.

Pure helpers (no request handling): which posted address is the assessment form, and which posted
fields the sign-in page carries as hidden `carry:` fields.
"""

from __future__ import annotations

from collections.abc import Iterable

CARRY = "carry:"  # prefix of the typed fields the sign-in page carries
MAX_CARRIED = 5000  # as many fields as a posted form may have
_FORM_PATH = "/assessments/"
_NOT_CARRIED = ("csrf_token", "action")


def assessment_form_target(path: str, root: str = "") -> str | None:
    """The assessment id when `path` is the form's own address (`/assessments/ID`), else None."""
    rest = path[len(root) :] if root and path.startswith(root) else path
    if not rest.startswith(_FORM_PATH):
        return None
    assessment_id = rest[len(_FORM_PATH) :]
    return assessment_id if assessment_id and "/" not in assessment_id else None


def carried_fields(items: Iterable[tuple[str, object]]) -> list[tuple[str, str]]:
    """The typed fields of a posted form (not its token or button), named for the sign-in page to carry."""
    carried: list[tuple[str, str]] = []
    for key, value in items:
        if isinstance(value, str) and key not in _NOT_CARRIED and not key.startswith(CARRY):
            carried.append((CARRY + key, value))
        if len(carried) >= MAX_CARRIED:
            break
    return carried


def uncarried(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """The carried fields by their own names again."""
    return {key[len(CARRY) :]: values for key, values in fields.items() if key.startswith(CARRY)}
