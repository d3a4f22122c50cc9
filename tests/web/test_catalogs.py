"""Every page string of the workspace is translated into Dutch and French (the `web` catalog domain)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "spj" / "api" / "web"


def _page_strings() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}, "**.py": {}}
    keywords = {"_": None, "gettext": (2,), "t": (2,)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map=options, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_page_string_is_translated(lang: str) -> None:
    with (WEB / "locale" / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain="web")
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(_page_strings() - translated) == []
