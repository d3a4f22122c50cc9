"""Web hook subscriptions, declared in the deployment file (`hooks:`): which agency's events go to which address.

Declared by the operator, not through the API: the server then posts only to addresses its operator
wrote down (no API token can point it at an internal address), and the signing secret stays in the
environment (`secret_env` names the variable), never in the file or the database.

```yaml
hooks:
  - {id: cms-gent, agency: house-of-justice-example, url: "https://cms.example/spj-events",
     secret_env: SPJ_HOOK_SECRET_CMS_GENT, kinds: [finalised, countersigned]}
```
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# the kinds of the event feed (spj.store.outbox.KINDS; a test keeps the two lists equal)
EVENT_KINDS: tuple[str, ...] = (
    "created",
    "saved",
    "finalised",
    "countersigned",
    "returned",
    "delivery-updated",
    "case-created",
    "case-updated",
    "referred",
    "delivery-recorded",
)
HookId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)]


class HookSubscription(BaseModel):
    """One web hook: the agency whose events it receives, where they are posted, and how they are signed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: HookId
    agency: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    url: Url
    secret_env: EnvName = Field(description="the environment variable that holds the signing secret")
    kinds: tuple[str, ...] | None = Field(None, description="only events of these kinds (default: every kind)")
