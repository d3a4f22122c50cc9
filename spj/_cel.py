"""Import the CEL binding without its command-line tool.

`common-expression-language`'s `cel/__init__.py` runs `from . import cli, stdlib`
before `from .cel import *`: every `import cel` loads its interactive shell's
stack (typer, rich, prompt_toolkit, pygments), about 0.2 s and 400 modules that
spj never uses. `narrow_cel_import()` puts the `cel` package in `sys.modules`
with just the Rust extension's names (`compile`, `evaluate`, `Context`,
`Program`, `OptionalValue`), as `from .cel import *` gives them, loaded on the
first use of any of them (so `import spj` does not load the extension, nor the
`logging` it imports); `cel.cli` and `cel.stdlib` still import on first use. This module calls it when imported,
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
    """Make `import cel` load the binding's extension module only, and only when first used (see above)."""
    if "cel" in sys.modules:
        return
    spec = importlib.util.find_spec("cel")
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    sys.modules["cel"] = package
    if importlib.util.find_spec("cel.cel") is None:
        del sys.modules["cel"]
        return
    package.__getattr__ = _on_first_use  # type: ignore[method-assign]
    package.__dir__ = _names  # type: ignore[method-assign]


def _native() -> ModuleType:
    """The extension module, its names copied onto the package (as `from .cel import *` does)."""
    native = importlib.import_module("cel.cel")
    package = sys.modules["cel"]
    for name in _exported(native):
        setattr(package, name, getattr(native, name))
    return native


def _exported(native: ModuleType) -> list[str]:
    return list(getattr(native, "__all__", None) or [n for n in dir(native) if not n.startswith("_")])


def _on_first_use(name: str) -> object:
    if name in _SUBMODULES:
        return importlib.import_module(f"cel.{name}")
    native = _native()
    if name in _exported(native):
        return getattr(native, name)
    raise AttributeError(f"module 'cel' has no attribute {name!r}")


def _names() -> list[str]:
    return sorted({*_exported(_native()), *_SUBMODULES})


narrow_cel_import()
