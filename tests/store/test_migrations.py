"""Alembic: the revisions go up, down and up again on both backends, and head matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from store.engine import READ_ONLY_OPTION, current_revision, downgrade, head_revision, make_engine, upgrade
from store.models import Base

# Written out by hand (not read from the models) so a table dropped from a migration by mistake is caught.
EXPECTED_TABLES = {"workspace", "source_file", "saved_mapping", "kpi_selection", "custom_kpi", "funnel_target"}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert _tables(engine) == set()
        upgrade(engine)
        assert _tables(engine) == EXPECTED_TABLES
        assert current_revision(engine) == head_revision()
        downgrade(engine, "base")
        assert _tables(engine) == set()
        assert current_revision(engine) is None
        upgrade(engine)
        assert _tables(engine) == EXPECTED_TABLES
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    """`alembic revision --autogenerate` on a migrated database would find nothing to do."""
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY_OPTION: True})
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_constraint_names_follow_the_convention(engine: Engine) -> None:
    """Batch migrations on SQLite find constraints by name: every unique and foreign key must have one."""
    inspector = inspect(engine)
    names = {
        constraint["name"]
        for table in EXPECTED_TABLES
        for constraint in [*inspector.get_unique_constraints(table), *inspector.get_foreign_keys(table)]
    }
    assert "uq_source_file_workspace_id_content_hash" in names
    assert "fk_kpi_selection_workspace_id_workspace" in names
    assert "uq_funnel_target_workspace_id_from_stage_stage" in names
    assert None not in names


def test_the_funnel_target_revision_goes_down_alone(db_url: str) -> None:
    """Downgrading 0002 removes only its table: the data of revision 0001 is kept."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        downgrade(engine, "0001")
        assert _tables(engine) == EXPECTED_TABLES - {"funnel_target"}
        assert current_revision(engine) == "0001"
        upgrade(engine)
        assert "funnel_target" in _tables(engine)
    finally:
        engine.dispose()
