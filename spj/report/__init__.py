"""Narrative reports: sandboxed Jinja templates, translated with Babel.

Modules: `render` (the entry point), `context` (the report's view: plain data,
built once, that templates print), `wording` (its sentences, translated and
escaped as `{% trans %}` would), `environment` (the sandboxed, escaping Jinja
setup, templates compiled once per language), `escaping` (filters for
untrusted text), `i18n` (catalogs), `templates` (where templates live),
`pdf` (WeasyPrint, optional). `import spj` does not import this package:
`spj.render_report` imports it on its first call.
"""

from __future__ import annotations

from spj.report.render import render_report as render_report
from spj.report.signoff import SignOff as SignOff

__all__ = ["SignOff", "render_report"]
