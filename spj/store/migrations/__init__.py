"""Alembic migrations of the store, run programmatically by `spj.store.migrate` (no alembic.ini)."""
