"""Engine set-up: where the URL comes from, SQLite's pragmas and BEGIN IMMEDIATE, migrations at start-up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select, text

from store import repo
from store.engine import (
    READ_ONLY_OPTION,
    current_revision,
    database_url,
    head_revision,
    make_engine,
    read_session,
    session_factory,
    unit_of_work,
    upgrade,
)
from store.errors import DatabaseBusyError
from store.models import Workspace
from tests.store.conftest import new_workspace


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("postgresql+psycopg://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
            ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
            ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
            ("sqlite:////srv/x.db", "sqlite:////srv/x.db"),
        ],
    )
    def test_environment_wins(self, tmp_path: Path, given: str, expected: str) -> None:
        _write_secrets(tmp_path, '[connections.sql]\nurl = "sqlite:////ignored.db"\n')
        assert database_url({"DATABASE_URL": given}, root=tmp_path) == expected

    def test_secrets_url_when_no_environment(self, tmp_path: Path) -> None:
        _write_secrets(tmp_path, '[connections.sql]\nurl = "postgresql://app@db.example:5433/loop"\n')
        assert database_url({}, root=tmp_path) == "postgresql+psycopg://app@db.example:5433/loop"

    def test_secrets_fields_form(self, tmp_path: Path) -> None:
        _write_secrets(
            tmp_path,
            '[connections.sql]\ndialect = "postgresql"\ndriver = "psycopg"\nhost = "db"\nport = 5432\n'
            'database = "loop"\nusername = "app"\npassword = "s3cret"\n',
        )
        assert database_url({}, root=tmp_path) == "postgresql+psycopg://app:s3cret@db:5432/loop"

    @pytest.mark.parametrize("secrets", [None, '[connections.other]\nurl = "sqlite:////x.db"\n'])
    def test_embedded_default(self, tmp_path: Path, secrets: str | None) -> None:
        if secrets is not None:
            _write_secrets(tmp_path, secrets)
        assert database_url({}, root=tmp_path) == f"sqlite:///{tmp_path}/data/loopboard.db"

    def test_make_engine_creates_the_data_folder(self, tmp_path: Path) -> None:
        engine = make_engine(database_url({}, root=tmp_path))
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        assert (tmp_path / "data" / "loopboard.db").is_file()


def _write_secrets(root: Path, body: str) -> None:
    (root / ".streamlit").mkdir(exist_ok=True)
    (root / ".streamlit" / "secrets.toml").write_text(body, encoding="utf-8")


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/lb.db")
    upgrade(engine)
    yield engine
    engine.dispose()


class TestSqlitePragmas:
    @pytest.mark.parametrize(
        ("pragma", "expected"), [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000)]
    )
    def test_every_connection_has_it(self, sqlite_engine: Engine, pragma: str, expected: object) -> None:
        read_only = {READ_ONLY_OPTION: True}  # two plain connections would queue on BEGIN IMMEDIATE
        with sqlite_engine.connect() as first, sqlite_engine.connect() as second:  # two pooled connections
            first.execution_options(**read_only)
            second.execution_options(**read_only)
            assert first.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
            assert second.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected

    def test_foreign_keys_are_enforced(self, sqlite_engine: Engine) -> None:
        with pytest.raises(Exception, match="FOREIGN KEY"), sqlite_engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO saved_mapping (workspace_id, column_signature, roles, confirmed_at, version, "
                "created_at, updated_at) VALUES (999, 'sig', '{}', '2024-01-01', 1, '2024-01-01', '2024-01-01')"
            )


class TestSqliteBegin:
    def test_unit_of_work_begins_immediate_and_reads_begin_deferred(self, sqlite_engine: Engine) -> None:
        statements: list[str] = []
        event.listen(sqlite_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        factory = session_factory(sqlite_engine)
        with unit_of_work(factory) as session:
            session.execute(select(Workspace))
        with read_session(factory) as session:
            session.execute(select(Workspace))
        begins = [s for s in statements if s.startswith("BEGIN")]
        assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]

    def test_second_writer_waits_for_the_first_then_both_commit(self, sqlite_engine: Engine) -> None:
        """Read-then-write in two sessions: with DEFERRED this is SQLite's lock-upgrade deadlock (instant
        'database is locked'); with IMMEDIATE the second simply queues behind the first."""
        factory = session_factory(sqlite_engine)
        first_has_lock = threading.Event()
        waited: list[float] = []

        def first() -> None:
            with unit_of_work(factory) as session:
                repo.list_workspaces(session)
                first_has_lock.set()
                time.sleep(0.5)
                repo.get_or_create_workspace(session, "first", "First")

        def second() -> None:
            first_has_lock.wait(5)
            started = time.perf_counter()
            with unit_of_work(factory) as session:
                repo.list_workspaces(session)
                repo.get_or_create_workspace(session, "second", "Second")
            waited.append(time.perf_counter() - started)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert waited and waited[0] >= 0.3, "the second writer should have queued on the write lock"
        with read_session(factory) as session:
            assert sorted(w.slug for w in repo.list_workspaces(session)) == ["first", "second"]

    def test_writer_gives_up_with_a_clear_error_after_busy_timeout(self, tmp_path: Path) -> None:
        holder = make_engine(f"sqlite:///{tmp_path}/lb.db")
        upgrade(holder)
        impatient = make_engine(f"sqlite:///{tmp_path}/lb.db", busy_timeout_ms=200)
        try:
            with unit_of_work(session_factory(holder)) as holding:
                repo.get_or_create_workspace(holding, "holder", "Holder")
                started = time.perf_counter()
                with pytest.raises(DatabaseBusyError, match="busy"), unit_of_work(session_factory(impatient)) as s:
                    repo.list_workspaces(s)  # even a read inside a unit of work waits: BEGIN IMMEDIATE
                assert 0.15 <= time.perf_counter() - started < 3
                with read_session(session_factory(impatient)) as reader:  # WAL readers are never blocked
                    assert repo.list_workspaces(reader) == []
        finally:
            holder.dispose()
            impatient.dispose()


class TestUpgrade:
    """Runs on both backends through the parametrised `db_url` fixture."""

    def test_concurrent_start_up_migrates_once(self, db_url: str) -> None:
        engines = [make_engine(db_url) for _ in range(4)]
        errors: list[BaseException] = []

        def start(engine: Engine) -> None:
            try:
                upgrade(engine)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(e,)) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        try:
            assert errors == []
            assert current_revision(engines[0]) == head_revision()
            with engines[0].connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        finally:
            for engine in engines:
                engine.dispose()

    def test_upgrade_at_head_keeps_data(self, db_url: str) -> None:
        engine = make_engine(db_url)
        try:
            upgrade(engine)
            workspace_id = new_workspace(session_factory(engine), "keep")
            upgrade(engine)
            with read_session(session_factory(engine)) as session:
                assert repo.get_workspace(session, workspace_id).slug == "keep"
        finally:
            engine.dispose()
