"""Import the CEL binding without its command-line tool.

`common-expression-language`'s `cel/__init__.py` runs `from . import cli, stdlib`
before `from .cel import *`: every `import cel` loads its interactive shell's
stack (typer, rich, prompt_toolkit, pygments), about 0.2 s and 400 modules that
spj never uses. `narrow_cel_import()` puts the `cel` package in `sys.modules`
with just the Rust extension's names (`compile`, `evaluate`, `Context`,
`Program`, `OptionalValue`), as `from .cel import *` gives them; `cel.cli` and
`cel.stdlib` still import on first use. This module calls it when imported,
and `spj/__init__.py` imports it first, before anything imports `spj.rules`,
whose `import cel` then finds the narrow package. (It belongs with the CEL
wrapper in `spj.rules`; it lives here so that it runs first.)

It changes nothing when `cel` is already imported, or when the package does
not have the layout above (then `import cel` behaves as it always does).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

_SUBMODULES = ("cli", "stdlib")


def narrow_cel_import() -> None:
    """Make `import cel` load the binding's extension module only (see the module docstring)."""
    if "cel" in sys.modules:
        return
    spec = importlib.util.find_spec("cel")
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    sys.modules["cel"] = package
    try:
        native = importlib.import_module("cel.cel")
    except ImportError:
        del sys.modules["cel"]
        return
    names = getattr(native, "__all__", None) or [n for n in dir(native) if not n.startswith("_")]
    for name in names:
        setattr(package, name, getattr(native, name))
    package.__getattr__ = _submodule_on_demand  # type: ignore[method-assign]


def _submodule_on_demand(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"cel.{name}")
    raise AttributeError(f"module 'cel' has no attribute {name!r}")


narrow_cel_import()
