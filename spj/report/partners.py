"""Partner agencies by name: a deployment's agency titles in the report's language, by agency id."""

from __future__ import annotations

from spj.disclosure.model import Deployment
from spj.instrument.text import localize


def partner_names(deployment: Deployment | None, lang: str) -> dict[str, str]:
    """`{agency id: its title in lang}` for every agency of `deployment` with a title (empty without one)."""
    if deployment is None:
        return {}
    names = {}
    for agency in deployment.agencies:
        title = localize(agency.title, lang, None) if agency.title else ""
        if title:
            names[agency.id] = title
    return names
