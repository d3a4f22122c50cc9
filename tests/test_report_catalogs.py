"""Every string of the report and extract templates is translated into Dutch and French."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "reports" / "templates"
CATALOGS = ROOT / "spj" / "report" / "locale"


def _template_strings() -> set[str]:
    method_map = [("**.html", "jinja2.ext:babel_extract"), ("**.md", "jinja2.ext:babel_extract")]
    options = {pattern: {"extensions": "jinja2.ext.i18n"} for pattern, _ in method_map}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(TEMPLATES), method_map, options_map=options):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_report_and_extract_string_is_translated(lang: str) -> None:
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id and m.string}
    strings = _template_strings()
    assert "Extract for %(agency)s" in strings  # the extract templates are read too
    assert sorted(strings - translated) == []
