"""Narrative reports: sandboxed Jinja templates, translated with Babel.

Modules: `render` (the entry point), `context` (what templates read),
`environment` (the sandboxed, escaping Jinja setup), `escaping` (filters for
untrusted text), `i18n` (catalogs), `templates` (where templates live),
`pdf` (WeasyPrint, optional).
"""

from __future__ import annotations

from spj.report.render import render_report as render_report

__all__ = ["render_report"]
