"""Initial schema: workspaces, uploaded source files, saved mappings, KPI selections with targets, custom KPIs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Why these tables: the Data page keeps every upload byte for byte (re-parsed when the parser or the user's choices
change) and remembers a confirmed mapping per column signature; the KPI pool keeps the selected KPIs, their targets
and the team's own KPIs. Rows two people can edit at once carry `version` (SQLAlchemy version_id_col).
PDCA, snapshots and share links come in a later revision. Timestamps are timezone-aware (timestamptz on
PostgreSQL); the models read SQLite's zone-less text back as UTC.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"], ["workspace.id"], name=op.f(f"fk_{table}_workspace_id_workspace"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("goal_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("slug", name=op.f("uq_workspace_slug")),
    )
    op.create_table(
        "source_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sheet", sa.String(length=255), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("column_signature", sa.String(length=64), nullable=True),
        sa.Column("grain", sa.String(length=16), nullable=True),
        *_timestamps(),
        _workspace_fk("source_file"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_file")),
        sa.UniqueConstraint("workspace_id", "content_hash", name=op.f("uq_source_file_workspace_id_content_hash")),
    )
    op.create_table(
        "saved_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("column_signature", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _workspace_fk("saved_mapping"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_mapping")),
        sa.UniqueConstraint(
            "workspace_id", "column_signature", name=op.f("uq_saved_mapping_workspace_id_column_signature")
        ),
    )
    op.create_table(
        "kpi_selection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.String(length=64), nullable=False),
        sa.Column("kpi_id", sa.String(length=64), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_period", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("target_kind IN ('at_least', 'at_most')", name=op.f("ck_kpi_selection_target_kind")),
        sa.CheckConstraint("target_period IN ('week', 'month')", name=op.f("ck_kpi_selection_target_period")),
        _workspace_fk("kpi_selection"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_selection")),
        sa.UniqueConstraint(
            "workspace_id", "goal_id", "kpi_id", name=op.f("uq_kpi_selection_workspace_id_goal_id_kpi_id")
        ),
    )
    op.create_table(
        "custom_kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _workspace_fk("custom_kpi"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_kpi")),
        sa.UniqueConstraint("workspace_id", "kpi_id", name=op.f("uq_custom_kpi_workspace_id_kpi_id")),
    )
    for table in ("source_file", "saved_mapping", "kpi_selection", "custom_kpi"):
        op.create_index(op.f(f"ix_{table}_workspace_id"), table, ["workspace_id"], unique=False)


def downgrade() -> None:
    for table in ("custom_kpi", "kpi_selection", "saved_mapping", "source_file"):
        op.drop_index(op.f(f"ix_{table}_workspace_id"), table_name=table)
        op.drop_table(table)
    op.drop_table("workspace")
