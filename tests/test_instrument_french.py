"""The shipped instruments speak French (issue 9, point 4): every text, required, Belgian typography.

`required_languages` carries fr, so `spj validate` itself refuses a text without it; these tests pin
that, check the texts themselves, and check that the French codebook shows no English instrument text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import spj
from spj.cli.app import app
from spj.report.codebook import render_codebook

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "instruments").glob("*/instrument.yaml"))
LANGS = {"en", "nl", "fr"}


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """Every {lang: text} map of an instrument document, with where it is."""
    if isinstance(node, dict):
        if node and set(node) <= LANGS:
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _texts(value, f"{path}[{n}]")


def _document(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_text_has_french(path: Path) -> None:
    texts = list(_texts(_document(path)))
    assert len(texts) > 100  # the walk found the instrument's texts, not nothing
    missing = [where for where, text in texts if not (text.get("fr") or "").strip()]
    assert missing == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_french_is_declared_and_required(path: Path) -> None:
    instrument = spj.load_instrument(path)
    assert "fr" in instrument.languages
    assert "fr" in instrument.required_languages


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_validate_refuses_a_shipped_instrument_that_loses_one_french_text(path: Path, tmp_path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    broken = re.sub(r", fr: [^}]*\}", "}", source, count=1)
    assert broken != source
    copy = tmp_path / "instrument.yaml"
    copy.write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(copy)])
    assert result.exit_code != 0
    assert "missing-translation" in result.output
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_french_typography_is_belgian(path: Path) -> None:
    """A non-breaking space, never a plain one or none, before : ; ? ! and inside « »."""
    wrong = {
        where: text["fr"]
        for where, text in _texts(_document(path))
        if re.search(r"[ \w][;?!»]|« |«\w|\w:\s| [:;?!»]", text["fr"])
    }
    assert wrong == {}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_french_differs_from_english_where_it_should(path: Path) -> None:
    """Guards against English pasted into fr: only short labels may read the same."""
    same = [where for where, text in _texts(_document(path)) if text["fr"] == text["en"] and len(text["en"]) > 12]
    assert same == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_french_codebook_shows_every_french_text_and_no_english_one(path: Path) -> None:
    rendered = render_codebook(spj.load_instrument(path), format="html", lang="fr")
    assert isinstance(rendered, str)
    # the citation is a bibliographic reference, one string in its own language, not a text to translate
    shown = html.unescape(re.sub(r"<dt>Citation</dt><dd>.*?</dd>", "", rendered, flags=re.DOTALL))
    texts = [text for _, text in _texts(_document(path))]
    english = {text["en"] for text in texts if text["en"] != text["fr"] and len(text["en"]) > 12}
    assert len(english) > 50
    assert sorted(e for e in english if e in shown) == []
    assert sorted(text["fr"] for text in texts if text["fr"] not in shown) == []
