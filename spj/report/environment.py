"""The Jinja environment for reports: sandboxed, strict, escaping, translated.

One environment per (language, output kind), built once and shared: Jinja
environments are safe to use from several threads once configured. Templates
are package data: each is compiled once (no reloading on change), with the
report's constant wording (`{{ _("Life areas") }}`) translated into it at
compile time, so rendering does no look-up for it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from spj.report.escaping import MdText, html_paragraphs, md_escape, md_finalize, md_names, md_paragraphs
from spj.report.i18n import translations_for
from spj.report.templates import template_folder
from spj.report.wording import Kind, report_wording

_DICT_ATTRIBUTES = frozenset(dir(dict))
_CONSTANT_GETTEXT = ("variable_begin", "name", "lparen", "string", "rparen", "variable_end")


class ReportSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a short path for the report's view (plain dicts).

    For a `dict` and a name that is not an attribute of `dict`, the sandbox's
    own `getattr` would fail to find an attribute and return the item; this
    returns the item at once. Everything else goes through the sandbox.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class ConstantTranslations(Extension):
    """Compiles `{{ _("constant") }}` as its translation: the same text, looked up once per environment.

    `environment.spj_constant_text(message)` gives the text to write, or None to
    leave the call as it is (it is set by `report_environment`).
    """

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.extend(spj_constant_text=None)

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        translate = getattr(self.environment, "spj_constant_text", None)
        tokens = list(stream)
        if translate is None:
            return tokens
        out: list[Token] = []
        n = 0
        while n < len(tokens):
            window = tokens[n : n + len(_CONSTANT_GETTEXT)]
            if tuple(t.type for t in window) == _CONSTANT_GETTEXT and window[1].value == "_":
                text = translate(window[3].value)
                if text is not None:
                    out.append(Token(window[0].lineno, "data", text))
                    n += len(_CONSTANT_GETTEXT)
                    continue
            out.append(tokens[n])
            n += 1
        return out


@functools.lru_cache(maxsize=32)
def report_environment(lang: str, kind: Kind) -> ReportSandbox:
    """The environment that renders `kind` reports with the report's wording in `lang`."""
    options: dict[str, Any] = {}
    if kind == "md":
        # Markdown has no autoescape: every `{{ … }}` is escaped on output instead.
        options["finalize"] = md_finalize
        options["trim_blocks"] = True
    env = ReportSandbox(
        loader=FileSystemLoader(str(template_folder())),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", ConstantTranslations],
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        **options,
    )
    translations = translations_for(lang)
    safe: type[Markup] | type[MdText]
    if kind == "md":
        safe = MdText
        env.install_gettext_callables(  # type: ignore[attr-defined]
            lambda s: MdText(translations.gettext(s)),
            lambda s, p, n: MdText(translations.ngettext(s, p, n)),
            newstyle=True,
        )
    else:
        safe = Markup
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def constant_text(message: str) -> str | None:
        # What `_(message)` gives at run time (newstyle gettext formats even without values).
        try:
            return str(safe(translations.gettext(message)) % {})
        except (TypeError, ValueError, KeyError):
            return None

    env.spj_constant_text = constant_text  # type: ignore[attr-defined]
    wording = report_wording(lang, kind)
    env.filters["date"] = wording.date
    env.filters["paragraphs"] = html_paragraphs
    env.filters["md"] = md_escape
    env.filters["md_paragraphs"] = md_paragraphs
    env.filters["names"] = md_names if kind == "md" else wording.names
    return env


@functools.lru_cache(maxsize=128)
def report_template(lang: str, kind: Kind, name: str) -> Template:
    """A compiled template of `report_environment(lang, kind)`."""
    return report_environment(lang, kind).get_template(name)
