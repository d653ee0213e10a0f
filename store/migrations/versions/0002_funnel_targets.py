"""Funnel step targets: the conversion a team aims for on one step, so leaks can be held against it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Why: the Funnel page ranks leaks against the previous period, the best comparable segment and the team's target;
until now nothing stored a target, so the third basis never appeared. One row per workspace and step
(`from_stage` → `stage`), a fraction 0..1, with `version` (SQLAlchemy version_id_col) because several people edit
targets in the weekly meeting. A new table only, so no batch copy-and-move is needed on SQLite.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "funnel_target"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("target_rate", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target_rate >= 0 AND target_rate <= 1", name=op.f("ck_funnel_target_target_rate")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_funnel_target_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_target")),
        sa.UniqueConstraint(
            "workspace_id", "from_stage", "stage", name=op.f("uq_funnel_target_workspace_id_from_stage_stage")
        ),
    )
    op.create_index(op.f("ix_funnel_target_workspace_id"), TABLE, ["workspace_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_funnel_target_workspace_id"), table_name=TABLE)
    op.drop_table(TABLE)
