"""The tables behind the first three capabilities: workspaces, uploaded sources, mappings, KPI selections, custom KPIs,
funnel step targets.

Conventions that hold for every model:
- a naming convention on the metadata, so Alembic's batch mode (SQLite) can find and recreate constraints by name;
- `created_at` / `updated_at` are timezone-aware UTC (`UTCDateTime` re-attaches UTC on SQLite, which drops it);
- rows that two people can edit at once carry `version` as SQLAlchemy's `version_id_col`: every UPDATE checks
  and bumps it, so a stale write raises instead of overwriting (translated to `ConcurrentEditError`);
- every row except `Workspace` belongs to a workspace (`workspace_id`, cascade delete) and every query filters on it.

PDCA cycles and items, snapshots and share links are added by a later migration, not here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION: Final[dict[str, str]] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Longest stage role name a funnel target may store (roles are short identifiers such as "add_to_cart").
STAGE_ROLE_LENGTH: Final = 32
TARGET_KINDS: Final[tuple[str, ...]] = ("at_least", "at_most")
TARGET_PERIODS: Final[tuple[str, ...]] = ("week", "month")
GRAINS: Final[tuple[str, ...]] = ("line", "aggregate", "entity")


def utcnow() -> datetime:
    """The one clock every default uses, so tests can compare against it."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend: stored as UTC, always read back with tzinfo=UTC.

    PostgreSQL keeps the zone (timestamptz); SQLite stores text without it, so naive values read back are UTC by
    construction. Naive datetimes are refused on write: they are almost always a bug (local time taken for UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base: the shared metadata (with its naming convention) Alembic's env.py targets."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), dict[str, str]: JSON()}


class Timestamped:
    """Creation and last-change times, set in Python so every backend stores the same UTC instant."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Workspace(Timestamped, Base):
    """A team's space: everything else belongs to exactly one. Also holds the sidebar settings (goal, language).

    `slug` is the stable key pages put in session state and cache keys; `name` is what people read (may be Korean).
    """

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    goal_id: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="ko")
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class SourceFile(Timestamped, Base):
    """One uploaded file, kept byte for byte so it can be re-parsed when the parser or the user's choices change.

    Deduplicated by `content_hash` (SHA-256 of the bytes) within a workspace: the same upload twice is one row.
    `data` is deferred so listing files never drags megabytes of blobs; read it with `repo.get_source_bytes`.
    `options` holds the user's ingest choices ({"sheet", "header_row", "overrides": [[role, column], ...]});
    `column_signature` and `grain` are filled once the file has been parsed, for mapping re-use and display.
    """

    __tablename__ = "source_file"
    __table_args__ = (UniqueConstraint("workspace_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    sheet: Mapped[str | None] = mapped_column(String(255))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    column_signature: Mapped[str | None] = mapped_column(String(64))
    grain: Mapped[str | None] = mapped_column(String(16))


class SavedMapping(Timestamped, Base):
    """A confirmed column → role mapping, remembered per source by its column signature.

    Next week's upload of the same report has the same header, hence the same signature, and gets these roles
    re-applied. One row per (workspace, signature); confirming again replaces the roles.
    """

    __tablename__ = "saved_mapping"
    __table_args__ = (UniqueConstraint("workspace_id", "column_signature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    column_signature: Mapped[str] = mapped_column(String(64))
    roles: Mapped[dict[str, str]] = mapped_column()
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class KpiSelection(Timestamped, Base):
    """A KPI the team tracks for a goal, in display order, with an optional target.

    `kpi_id` names a catalog KPI or a workspace's custom KPI (no foreign key: the catalog is code, not a table).
    Targets are edited by several people in the weekly meeting, hence the version check.
    """

    __tablename__ = "kpi_selection"
    __table_args__ = (
        UniqueConstraint("workspace_id", "goal_id", "kpi_id"),
        CheckConstraint(f"target_kind IN {TARGET_KINDS!r}", name="target_kind"),
        CheckConstraint(f"target_period IN {TARGET_PERIODS!r}", name="target_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[str] = mapped_column(String(64))
    kpi_id: Mapped[str] = mapped_column(String(64))
    target_value: Mapped[float | None] = mapped_column(Float)
    target_kind: Mapped[str] = mapped_column(String(16), default="at_least")
    target_period: Mapped[str] = mapped_column(String(16), default="month")
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class CustomKpi(Timestamped, Base):
    """A KPI a team wrote itself, in the same formula language as the catalog (validated by metrics.expr).

    `kpi_id` is a slug unique within the workspace; it must not collide with a catalog id (checked by the page,
    which knows the catalog).
    """

    __tablename__ = "custom_kpi"
    __table_args__ = (UniqueConstraint("workspace_id", "kpi_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    kpi_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    formula: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class FunnelTarget(Timestamped, Base):
    """The team's target conversion for one funnel step (`from_stage` → `stage`), a fraction 0..1.

    Keyed by the step (both roles), not by the destination stage alone: a 60 % target for cart → order must not
    turn into a target for sessions → order when the team skips the cart stage. The Funnel page passes the targets
    of the steps its funnel has, as {stage: rate}, to `metrics.whatif.rank_leaks`. Edited in the weekly meeting by
    several people, hence the version check.
    """

    __tablename__ = "funnel_target"
    __table_args__ = (
        UniqueConstraint("workspace_id", "from_stage", "stage"),
        CheckConstraint("target_rate >= 0 AND target_rate <= 1", name="target_rate"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(STAGE_ROLE_LENGTH))
    stage: Mapped[str] = mapped_column(String(STAGE_ROLE_LENGTH))
    target_rate: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
