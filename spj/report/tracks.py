"""The two follow-up tracks of a case, by name: security and social-preventive.

The Belgian approach runs a security follow-up (local task force, police,
prosecution) beside a social-preventive one (the local integral security cell,
care and welfare partners). An intervention of an instrument may say which it
belongs to (`track:`); the plan and the report show the two apart.
"""

from __future__ import annotations

from spj.instrument.model import TRACKS
from spj.report.i18n import translations_for

__all__ = ["TRACKS", "track_title"]

_TITLES = {
    "security": "Security track",
    "social-preventive": "Social-preventive track",
}


def track_title(track: str | None, lang: str | None) -> str:
    """The track's name in `lang` ('' for none): plain text, escaped when printed.

    >>> track_title("security", "en")
    'Security track'
    """
    if not track:
        return ""
    title = _TITLES.get(track, track)
    return translations_for(lang or "en").gettext(title)
