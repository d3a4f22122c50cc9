"""The version of spj (one place; `spj.__version__` re-exports it)."""

__version__ = "0.1.0"
