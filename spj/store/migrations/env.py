"""Alembic environment: runs on the connection `spj.store.migrate` passes in `config.attributes`."""

from __future__ import annotations

from alembic import context

from spj.store.tables import Base


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only `spj.store.migrate` runs these migrations
        raise RuntimeError("run the spj migrations through spj.store.migrate.upgrade(), which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # imported by alembic (not by a doctest or import scan)
    run()
