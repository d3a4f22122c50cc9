"""The report's Jinja environment: its short paths give what the plain sandbox gives, and no more."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from spj.report.environment import ReportSandbox, report_environment
from spj.report.i18n import translations_for

VIEW = {"title": "<b>T</b>", "items": "shadowed", "nested": {"id": "X1"}, "values": [1, 2]}


def _render(env: Any, source: str, **context: Any) -> str:
    return str(env.from_string(source).render(**context))


@pytest.mark.parametrize(
    "source",
    [
        "{{ v.title }}",
        "{{ v.nested.id }}",
        "{{ v['title'] }}",
        "{{ v.items is callable }}",  # a dict's own attribute wins over its key, as in the sandbox
        "{{ v.values is callable }}",
        "{% for k, x in v.items()|sort %}{{ k }};{% endfor %}",
        "{{ v.missing is defined }}",
        "{{ v.__class__ is defined }}",
    ],
)
def test_dict_look_ups_are_those_of_the_sandbox(source: str) -> None:
    options = {"autoescape": True, "undefined": StrictUndefined}
    expected = _render(ImmutableSandboxedEnvironment(**options), source, v=VIEW)
    assert _render(ReportSandbox(**options), source, v=VIEW) == expected


@pytest.mark.parametrize(
    "source",
    ["{{ v.__class__.__mro__ }}", "{{ v.update({'x': 1}) }}", "{{ v.nested.clear() }}", "{{ v.missing }}"],
)
def test_the_sandbox_still_refuses(source: str) -> None:
    options = {"autoescape": True, "undefined": StrictUndefined}
    with pytest.raises((SecurityError, UndefinedError)) as plain:
        _render(ImmutableSandboxedEnvironment(**options), source, v=dict(VIEW))
    with pytest.raises(plain.type):
        _render(ReportSandbox(**options), source, v=dict(VIEW))


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
@pytest.mark.parametrize("kind", ["html", "md"])
def test_constant_wording_is_compiled_in_translated(lang: str, kind: str) -> None:
    env = report_environment(lang, kind)  # type: ignore[arg-type]
    source = '{{ _("Life areas") }}|{{ _("The expert\'s judgement") }}|{{ _("Life areas")|upper }}'
    gettext = translations_for(lang).gettext
    expected = (
        f"{gettext('Life areas')}|{gettext('The expert' + chr(39) + 's judgement')}|{gettext('Life areas').upper()}"
    )
    assert env.from_string(source).render() == expected
    # The two plain calls are written into the compiled template as text; the one with a filter stays a call.
    assert env.compile(source, raw=True).count("environment.call(") == 1
