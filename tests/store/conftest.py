"""Store fixtures: every test runs once on a fresh SQLite file and once on a fresh PostgreSQL schema.

The PostgreSQL case skips only when nothing listens on 127.0.0.1:5432 (set LOOPBOARD_TEST_PG_URL to point
elsewhere); if the server is up but refuses us, the test errors rather than silently skipping. Each test gets its
own schema (dropped with CASCADE afterwards) reached through `search_path`, so runs are isolated and repeatable.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from store import repo
from store.engine import make_engine, session_factory, unit_of_work, upgrade

PG_URL = os.environ.get("LOOPBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@cache
def postgres_reachable() -> bool:
    url = make_url(PG_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A URL to an empty database of the requested backend; nothing is migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/loopboard.db"
        return
    if not postgres_reachable():
        if os.environ.get("LOOPBOARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL tests are required here (CI) but {PG_URL} is unreachable")
        pytest.skip(f"PostgreSQL is not reachable at {make_url(PG_URL).host}:{make_url(PG_URL).port}")
    schema = f"lb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine migrated to head, disposed after the test."""
    built = make_engine(db_url)
    upgrade(built)
    yield built
    built.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


def new_workspace(factory: sessionmaker[Session], slug: str, name: str | None = None) -> int:
    """Creates a workspace in its own unit of work and returns its id."""
    with unit_of_work(factory) as session:
        return repo.get_or_create_workspace(session, slug, name or slug).id
