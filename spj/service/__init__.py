"""The service layer of the workspace: one place for what the JSON API and the web pages do.

No HTTP here. `Workspace` takes the acting user in every call and scopes
everything to the user's agency; `InstrumentRegistry` holds the loaded
instruments; `spj.service.errors` draws the errors the HTTP layer maps.
"""

from __future__ import annotations

from spj.service.auth import ROLES as ROLES
from spj.service.auth import require_role as require_role
from spj.service.auth import token_sha256 as token_sha256
from spj.service.errors import FinalChangedError as FinalChangedError
from spj.service.errors import FinaliseRefusedError as FinaliseRefusedError
from spj.service.errors import ForbiddenError as ForbiddenError
from spj.service.errors import InvalidContentError as InvalidContentError
from spj.service.errors import InvalidRequestError as InvalidRequestError
from spj.service.errors import SaveConflictError as SaveConflictError
from spj.service.errors import StateError as StateError
from spj.service.errors import TooManyAttemptsError as TooManyAttemptsError
from spj.service.errors import UnauthenticatedError as UnauthenticatedError
from spj.service.instruments import InstrumentRegistry as InstrumentRegistry
from spj.service.views import AssessmentView as AssessmentView
from spj.service.workspace import Workspace as Workspace

__all__ = [
    "ROLES",
    "AssessmentView",
    "FinalChangedError",
    "FinaliseRefusedError",
    "ForbiddenError",
    "InstrumentRegistry",
    "InvalidContentError",
    "InvalidRequestError",
    "SaveConflictError",
    "StateError",
    "TooManyAttemptsError",
    "UnauthenticatedError",
    "Workspace",
    "require_role",
    "token_sha256",
]
