"""Alembic environment: targets store.models' metadata, batch mode for SQLite, connection from the caller.

`store.engine.upgrade()` passes its own connection (already inside a locked transaction) through
`config.attributes["connection"]`; the `alembic` command line builds an engine from `store.engine.database_url()`
(DATABASE_URL, secrets.toml, or the embedded SQLite file) so it always migrates the database the app uses.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from store.engine import database_url, make_engine
from store.models import Base

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: autogenerate emits batch (copy-and-move) ops
        compare_type=True,
        transactional_ddl=True,  # our SQLite engine emits a real BEGIN, so DDL is transactional there too
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: prints the DDL instead of running it."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
