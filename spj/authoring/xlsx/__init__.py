"""Instruments as spreadsheets, for methodologists who author in Excel or LibreOffice.

`export_workbook` writes an instrument as xlsx; `import_workbook` reads one
back into YAML, checked by the instrument loader. The round trip is
lossless: importing an exported instrument gives an equal model (same
`sha256`, same evaluations); an instrument a workbook cannot hold exactly is
refused on export.

Sheets (the first row of each names the columns; bold and frozen):

- ``instrument``: columns ``key`` and ``value``; one row per setting:
  ``format``, ``id``, ``version``, ``license``, ``citation``, ``languages``
  (comma-separated), ``max_omitted_ratio``, ``title``, ``description``.
- ``scales``: ``scale``, ``code``, ``value``, ``label``, ``description``;
  one row per level, levels of a scale in order.
- ``domains``: ``id``, ``title``, ``description``.
- ``indicators``: ``id``, ``domain``, ``kind``, ``rate`` (comma-separated),
  ``title``, ``guidance``, ``anchor:CODE`` (the anchor of presence code CODE),
  ``informs`` (empty, or ``formulation``), ``applies_when`` (the condition under which
  the indicator is asked, like XLSForm's ``relevant``) and ``scale_applies_when:SCALE``
  (the condition under which that scale is asked).
- ``case_fields``: ``id``, ``type``, ``choices`` (comma-separated), ``title``,
  ``label:CODE``, ``multiple`` (TRUE/FALSE: a choice that may hold several codes).
- ``rules``: ``id``, ``when``, ``severity``, ``title``, ``message``.
- ``interventions``: ``id``, ``domain``, ``provider``, ``duration_weeks``,
  ``recommend_when``, ``requires``, ``after`` (comma-separated), ``title``,
  ``description``, ``rationale:DEPENDENCY`` (why it waits for that step),
  ``track`` (``security`` or ``social-preventive``).
- ``judgements``: ``id``, ``levels`` (comma-separated), ``rationale_required``
  (TRUE/FALSE), ``title``, ``description``, ``label:CODE``.
- ``lint`` (only when the instrument accepts lint warnings): ``code``, ``at``,
  ``reason``; one row per entry of ``lint.accept``.

Texts, as XLSForm users know them: ``title::en``, ``title::nl`` hold one
string per language (``anchor:N::en``, ``label:low::nl`` likewise); a column
without ``::LANG`` (``title``, ``anchor:N``) holds a plain string, a text not
translated. A row fills one or the other for a given text, never both; in
the ``instrument`` sheet the same names are keys (``title::en``). An empty
cell means "not given" (the model's default). The sheets ``instrument``,
``scales``, ``domains`` and ``indicators`` are required; the others may be
left out.

Limits: a workbook holds no empty strings, no carriage returns, no list
items with commas or surrounding spaces, no codes ending in ``::xx``;
instruments that need them stay in YAML (export says so). A number that 15
digits cannot hold exactly is written as text. Import refuses files over
20 MiB and zips that unpack to over 100 MiB.
"""

from __future__ import annotations

from spj.authoring.xlsx.export import export_workbook as export_workbook
from spj.authoring.xlsx.importer import import_workbook as import_workbook
from spj.authoring.xlsx.importer import workbook_to_yaml as workbook_to_yaml

__all__ = ["export_workbook", "import_workbook", "workbook_to_yaml"]
