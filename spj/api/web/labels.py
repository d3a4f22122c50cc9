"""The expert's words for the instrument's codes (issue 9, point 3): providers and plan findings, as sentences.

The instruments name the kind of service that provides a step by a code (`social-services`); the page shows
its name from the `web` catalog (a code the catalog does not know is shown as words: `youth-care` → "Youth
care"). The agreed plan's findings come from the engine in English with step ids; the page says them as
sentences with the steps' titles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from spj.api.web.templating import gettext

# The provider codes of the shipped instruments, by their English names (translated in the `web` catalog).
PROVIDERS = {
    "education": "Education",
    "employment": "Employment services",
    "family-support": "Family support",
    "housing-service": "Housing service",
    "local-integral-security-cell": "Local integrated security cell",
    "local-task-force": "Local task force",
    "mental-health": "Mental health care",
    "ngo": "Non-profit organisation",
    "probation": "House of justice (probation)",
    "social-services": "Social services",
    "theological-adviser": "Theological adviser",
}


def _(message: str) -> str:
    """Marks a message for the catalog; translated where it is shown."""
    return message


_PROVIDER_NAMES = {code: _(name) for code, name in PROVIDERS.items()}


def provider_label(code: str, lang: str) -> str:
    """The name of a provider code in `lang`; an unknown code as words."""
    name = _PROVIDER_NAMES.get(code)
    if name is not None:
        return gettext(lang, name)
    words = re.sub(r"[-_]+", " ", code).strip()
    return words[:1].upper() + words[1:] if words else code


_FINDINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^(?P<step>\S+) is proposed but not decided; accept, amend or decline it$"),
        _("“%(step)s” is proposed but not decided yet: accept, amend or decline it."),
    ),
    (re.compile(r"^(?P<step>\S+): a decision to \w+ needs a reason$"), _("“%(step)s”: your decision needs a reason.")),
    (re.compile(r"^(?P<step>\S+): an added step needs a reason$"), _("“%(step)s”: an added step needs a reason.")),
    (re.compile(r"^(?P<step>\S+) is stopped; say why in status_reason$"), _("“%(step)s” is stopped: say why.")),
    (
        re.compile(r"^(?P<step>\S+) is agreed but requires (?P<needed>\S+), which is declined;"),
        _("“%(step)s” is agreed but needs “%(needed)s”, which is declined: decline both, or accept “%(needed)s”."),
    ),
)


def plan_finding_text(message: str, titles: Mapping[str, str], lang: str) -> str:
    """A finding of the agreed plan as a sentence in `lang`, each step by its title."""
    for pattern, sentence in _FINDINGS:
        match = pattern.match(message)
        if match:
            found = {k: titles.get(v, v) for k, v in match.groupdict().items()}
            return gettext(lang, sentence, **found)
    # Any other finding: the engine's words, each step id replaced by its title.
    return re.sub(
        r"[A-Za-z][\w-]*", lambda m: f"“{titles[m.group(0)]}”" if m.group(0) in titles else m.group(0), message
    )


def plan_problem_text(code: str, message: str, titles: Mapping[str, str], lang: str) -> str:
    """A problem of the plan (a refusal to finalise, a refused save) as a sentence in `lang`."""
    if code == "missing-review-date":
        return gettext(lang, _("The plan needs a review date: the day the plan is reviewed."))
    return plan_finding_text(message, titles, lang)
