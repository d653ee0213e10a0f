"""Where the database is, how connections behave, migrations at start-up, and the one-transaction-per-action scope.

- `database_url()`: DATABASE_URL, else `[connections.sql]` in `.streamlit/secrets.toml` (read with tomllib: the
  store never imports streamlit), else the embedded SQLite file `data/loopboard.db`.
- `make_engine()`: on SQLite every connection gets WAL, busy_timeout and foreign keys, and SQLAlchemy (not the
  sqlite3 driver) emits BEGIN: `BEGIN IMMEDIATE` for units of work, so two writers queue on the write lock up
  front instead of failing at COMMIT with a lock upgrade error; `BEGIN DEFERRED` for read-only sessions.
- `upgrade()`: Alembic to head, serialized (process lock + database lock) and skipped when already at head.
- `unit_of_work()` / `read_session()`: the session scope pages use; driver errors become `store.errors`.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from store.errors import translate

PROJECT_ROOT: Final = Path(__file__).resolve().parents[1]
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE_PATH: Final = "data/loopboard.db"
BUSY_TIMEOUT_MS: Final = 5000
READ_ONLY_OPTION: Final = "loopboard_read_only"
# Any constant works; it only has to be the same for every process that migrates the same PostgreSQL database.
_PG_MIGRATION_LOCK_KEY: Final = 0x100B_B0A2D
_MIGRATION_LOCK = threading.Lock()


def database_url(environ: Mapping[str, str] | None = None, root: Path | None = None) -> str:
    """The URL the app should use. `root` is the project folder holding `.streamlit/` and `data/`."""
    environ = os.environ if environ is None else environ
    root = PROJECT_ROOT if root is None else root
    if environ.get("DATABASE_URL"):
        return _normalise(environ["DATABASE_URL"])
    from_secrets = _url_from_secrets(root / ".streamlit" / "secrets.toml")
    if from_secrets:
        return _normalise(from_secrets)
    return f"sqlite:///{root / DEFAULT_SQLITE_PATH}"


def _url_from_secrets(path: Path) -> str | None:
    """`[connections.sql] url = ...`, or the field form st.connection also accepts (dialect, host, database...)."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        secrets = tomllib.load(handle)
    sql = secrets.get("connections", {}).get("sql", {})
    if sql.get("url"):
        return str(sql["url"])
    if not sql.get("dialect"):
        return None
    driver = f"{sql['dialect']}+{sql['driver']}" if sql.get("driver") else str(sql["dialect"])
    url = URL.create(
        driver,
        username=sql.get("username"),
        password=sql.get("password"),
        host=sql.get("host"),
        port=sql.get("port"),
        database=sql.get("database"),
    )
    return url.render_as_string(hide_password=False)


def _normalise(url: str) -> str:
    """Hosting platforms hand out `postgres://` URLs; only psycopg 3 is installed, so name it explicitly."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str | URL | None = None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """An engine for `url` (default: `database_url()`), with the SQLite pragmas and BEGIN handling installed.

    `busy_timeout_ms` is how long a SQLite writer waits for another's lock before `DatabaseBusyError`.
    Other keyword arguments go to `create_engine`.
    """
    parsed = make_url(url if url is not None else database_url())
    if parsed.get_backend_name() == "sqlite":
        _ensure_folder(parsed)
        engine = create_engine(parsed, **kwargs)
        _install_sqlite_hooks(engine, busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _ensure_folder(url: URL) -> None:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLAlchemy's documented recipe: the driver stops emitting BEGIN itself and we emit the kind we want."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit at the driver: we own BEGIN/COMMIT
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode; much faster
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit, so a page can show what it just saved."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session, one transaction for one user action: commit once at the end, roll back on any error.

    Driver errors (stale version, unique violation, SQLite lock timeout) leave as `store.errors.StoreError`.
    """
    session = factory()
    try:
        yield session
        session.commit()
    except Exception as exc:
        session.rollback()
        domain = translate(exc)
        if domain is None or domain is exc:
            raise
        raise domain from exc
    finally:
        session.close()


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for pages that only read: never commits, and on SQLite does not take the write lock.

    It ends with `close()`, not `rollback()`: closing ends the transaction too, but keeps the loaded objects
    readable after the block, whereas a rollback would expire them.
    """
    session = factory()
    try:
        session.connection(execution_options={READ_ONLY_OPTION: True})
        yield session
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Config:
    """The Alembic configuration, independent of the working directory (script location is absolute)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration's id: what `upgrade()` brings every database to."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "store/migrations/versions has no migration"
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's migration revision (None before the first migration), read without the write lock."""
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY_OPTION: True})
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrates to head at start-up; safe when several app sessions (threads) or processes start together.

    Threads queue on a process lock; processes on the database (PostgreSQL advisory lock, SQLite BEGIN IMMEDIATE).
    Inside the lock the revision is read again, so only the first caller migrates and the rest return quickly.
    """
    head = head_revision()
    if current_revision(engine) == head:
        return
    with _MIGRATION_LOCK, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY})
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Runs migrations down to `revision` (tests and manual rollbacks; the app never calls it)."""
    with _MIGRATION_LOCK, engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
