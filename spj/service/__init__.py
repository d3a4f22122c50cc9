"""The service layer of the workspace: one place for what the JSON API and the web pages do.

No HTTP here. `Workspace` takes the acting user in every call and scopes
everything to the user's agency; `InstrumentRegistry` holds the loaded
instruments; `spj.service.errors` draws the errors the HTTP layer maps.
"""

from __future__ import annotations

from .auth import ROLES as ROLES
from .auth import require_role as require_role
from .auth import token_sha256 as token_sha256
from .errors import FinaliseRefusedError as FinaliseRefusedError
from .errors import ForbiddenError as ForbiddenError
from .errors import InvalidContentError as InvalidContentError
from .errors import InvalidRequestError as InvalidRequestError
from .errors import SaveConflictError as SaveConflictError
from .errors import StateError as StateError
from .errors import TooManyAttemptsError as TooManyAttemptsError
from .errors import UnauthenticatedError as UnauthenticatedError
from .instruments import InstrumentRegistry as InstrumentRegistry
from .views import AssessmentView as AssessmentView
from .workspace import Workspace as Workspace

__all__ = [
    "ROLES",
    "AssessmentView",
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
