"""The domain review's wording findings (issue 9, point 4), pinned on the translation catalogues.

SPJ does not score: Dutch says "beoordelen", never "scoren". Flag severities read "aandachtspunt" and
"ernstig"; a flag is a "signaal" (one term), never also an "aandachtspunt". French uses Belgian
typographic spacing: a non-breaking space before a colon.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "spj"
CATALOGUES = {
    "report": ROOT / "report" / "locale" / "{lang}" / "LC_MESSAGES" / "messages.po",
    "web": ROOT / "api" / "web" / "locale" / "{lang}" / "LC_MESSAGES" / "web.po",
}


def _strings(kind: str, lang: str) -> dict[str, str]:
    path = Path(str(CATALOGUES[kind]).format(lang=lang))
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id:  # the catalogue's header
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, text in zip(ids, strings, strict=False):
            found[source] = text
    return found


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_dutch_never_says_scoring(kind: str) -> None:
    offending = {k: v for k, v in _strings(kind, "nl").items() if re.search(r"\b([Gg]escoord|[Ss]coor)\b", v)}
    assert offending == {}


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_dutch_review_terms(kind: str) -> None:
    strings = _strings(kind, "nl")
    if "concern" in strings:
        assert strings["concern"] == "aandachtspunt"
    if "critical" in strings:
        assert strings["critical"] == "ernstig"
    texts = " ".join(strings.values())
    assert "Om het te weten te komen" not in texts
    # A flag is a "signaal"; "aandachtspunt" is the severity "concern" and nothing else.
    flag_strings = [v for k, v in strings.items() if re.search(r"\bflags?\b", k, re.I)]
    assert flag_strings, "the catalogue translates no flag string"
    assert not [v for v in flag_strings if "aandachtspunt" in v]


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_french_review_terms(kind: str) -> None:
    strings = _strings(kind, "fr")
    texts = " ".join(strings.values())
    assert "BROUILLON" not in texts
    assert "Trajectoire proposée" not in texts
    # A colon after a word takes a non-breaking space before it, never a plain space or none.
    bad = [v for v in strings.values() if re.search(r"(?:[^\s\d/]|[ \t]):(?=\s|$)", v)]
    assert bad == []
