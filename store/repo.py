"""Repository functions: the only code that queries the tables. Pages call them inside `engine.unit_of_work()`.

Rules every function keeps:
- it takes the caller's `Session` and never commits (one commit per user action, in the unit of work); it may
  flush, so constraint and version errors surface here as `store.errors` instead of at commit time;
- every query filters on `workspace_id`: a row of workspace B is "not found" from workspace A, never returned;
- inserts that can race (same slug, same file, same signature) run in a SAVEPOINT, so losing the race re-reads
  the winner's row instead of aborting the whole user action.
JSON columns are always assigned a new dict (never mutated in place), so SQLAlchemy sees the change.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from store.errors import ConcurrentEditError, DuplicateError, InvalidValueError, NotFoundError, StoreError, translate
from store.models import (
    GRAINS,
    STAGE_ROLE_LENGTH,
    TARGET_KINDS,
    TARGET_PERIODS,
    CustomKpi,
    FunnelTarget,
    KpiSelection,
    SavedMapping,
    SourceFile,
    Workspace,
    utcnow,
)

if TYPE_CHECKING:  # types only: importing metrics.ingest at runtime would load the whole parser
    from metrics.ingest.model import IngestOptions

#: KPI ids may appear in formulas, so they stay identifier-like ASCII.
KPI_ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
LANGUAGES: Final[tuple[str, ...]] = ("en", "ko")

Row = TypeVar("Row")
#: A funnel step as (from_stage, stage) roles: the key of a funnel target.
Step = tuple[str, str]


@dataclass(frozen=True, slots=True)
class SavedSource:
    """The stored upload and whether this call created it (False: the same bytes were already in the workspace)."""

    source: SourceFile
    created: bool

    def __iter__(self) -> Iterator[Any]:
        """Allows `stored, created = save_source_file(...)` while keeping named access."""
        return iter((self.source, self.created))


# --- workspaces -------------------------------------------------------------------------------------------------


def get_or_create_workspace(session: Session, slug: str, name: str) -> Workspace:
    """The workspace with `slug`, created with `name` on first use (an existing workspace keeps its name)."""
    _check_workspace_slug(slug)
    found = session.scalars(select(Workspace).where(Workspace.slug == slug)).one_or_none()
    if found is not None:
        return found
    return _insert_or_reread(
        session,
        Workspace(slug=slug, name=name),
        lambda: session.scalars(select(Workspace).where(Workspace.slug == slug)).one_or_none(),
    )


def get_workspace(session: Session, workspace_id: int) -> Workspace:
    found = session.get(Workspace, workspace_id)
    if found is None:
        raise NotFoundError("This workspace no longer exists.")
    return found


def list_workspaces(session: Session) -> list[Workspace]:
    """Every workspace, by name, for the sidebar picker."""
    return list(session.scalars(select(Workspace).order_by(Workspace.name, Workspace.id)))


def update_workspace_settings(
    session: Session,
    workspace_id: int,
    *,
    goal_id: str | None,
    language: str,
    expected_version: int | None = None,
) -> Workspace:
    """Stores the sidebar's goal and language. With `expected_version`, refuses to overwrite a newer change."""
    if language not in LANGUAGES:
        raise InvalidValueError(f"Language must be one of {', '.join(LANGUAGES)}; got {language!r}.")
    workspace = get_workspace(session, workspace_id)
    _check_version(workspace.version, expected_version)
    workspace.goal_id = goal_id
    workspace.language = language
    _flush(session)
    return workspace


# --- uploaded source files --------------------------------------------------------------------------------------


def save_source_file(
    session: Session,
    workspace_id: int,
    filename: str,
    data: bytes,
    options: IngestOptions | Mapping[str, Any] | None = None,
    *,
    signature: str | None = None,
    grain: str | None = None,
) -> SavedSource:
    """Keeps an upload's original bytes. The same bytes twice in one workspace return the first row unchanged."""
    _check_grain(grain)
    content_hash = hashlib.sha256(data).hexdigest()
    existing = _source_by_hash(session, workspace_id, content_hash)
    if existing is not None:
        return SavedSource(existing, created=False)
    option_json = options_to_json(options)
    row = SourceFile(
        workspace_id=workspace_id,
        filename=filename,
        content_hash=content_hash,
        size_bytes=len(data),
        data=data,
        sheet=option_json["sheet"],
        options=option_json,
        column_signature=signature,
        grain=grain,
    )
    try:
        return SavedSource(_insert(session, row), created=True)
    except DuplicateError:
        winner = _source_by_hash(session, workspace_id, content_hash)
        if winner is None:
            raise
        return SavedSource(winner, created=False)


def list_source_files(session: Session, workspace_id: int) -> list[SourceFile]:
    """The workspace's uploads, oldest first, without their bytes (`data` is deferred)."""
    query = (
        select(SourceFile)
        .where(SourceFile.workspace_id == workspace_id)
        .order_by(SourceFile.uploaded_at, SourceFile.id)
    )
    return list(session.scalars(query))


def get_source_file(session: Session, workspace_id: int, source_id: int) -> SourceFile:
    query = select(SourceFile).where(SourceFile.workspace_id == workspace_id, SourceFile.id == source_id)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFoundError("This file is no longer in the workspace. It may have been removed by someone else.")
    return found


def get_source_bytes(session: Session, workspace_id: int, source_id: int) -> bytes:
    """The original bytes of one upload, read on demand (a cache miss), never with the listing."""
    query = select(SourceFile.data).where(SourceFile.workspace_id == workspace_id, SourceFile.id == source_id)
    data = session.scalars(query).one_or_none()
    if data is None:
        raise NotFoundError("This file is no longer in the workspace. It may have been removed by someone else.")
    return bytes(data)


def update_source_options(
    session: Session, workspace_id: int, source_id: int, options: IngestOptions | Mapping[str, Any]
) -> SourceFile:
    """Records the user's new choices (sheet, header row, role overrides); the next parse uses them."""
    row = get_source_file(session, workspace_id, source_id)
    option_json = options_to_json(options)
    row.options = option_json
    row.sheet = option_json["sheet"]
    _flush(session)
    return row


def set_source_parse_info(
    session: Session, workspace_id: int, source_id: int, signature: str | None, grain: str | None
) -> SourceFile:
    """Records what parsing found: the header signature (to find a saved mapping) and the detected grain."""
    _check_grain(grain)
    row = get_source_file(session, workspace_id, source_id)
    row.column_signature = signature
    row.grain = grain
    _flush(session)
    return row


def delete_source_file(session: Session, workspace_id: int, source_id: int) -> None:
    result = session.execute(
        delete(SourceFile).where(SourceFile.workspace_id == workspace_id, SourceFile.id == source_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFoundError("This file is no longer in the workspace. It may have been removed by someone else.")


def options_to_json(options: IngestOptions | Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON form of the user's ingest choices; the same keys ui.data.options_key uses."""
    if options is None:
        return {"sheet": None, "header_row": None, "overrides": []}
    if not isinstance(options, Mapping):  # an IngestOptions (duck-typed: see the TYPE_CHECKING import)
        return {
            "sheet": options.sheet,
            "header_row": options.header_row,
            "overrides": [[role, column] for role, column in options.overrides],
        }
    return {
        "sheet": options.get("sheet"),
        "header_row": options.get("header_row"),
        "overrides": [[str(role), str(column)] for role, column in options.get("overrides", ())],
    }


def _source_by_hash(session: Session, workspace_id: int, content_hash: str) -> SourceFile | None:
    query = select(SourceFile).where(SourceFile.workspace_id == workspace_id, SourceFile.content_hash == content_hash)
    return session.scalars(query).one_or_none()


# --- confirmed mappings ---------------------------------------------------------------------------------------


def save_mapping(session: Session, workspace_id: int, signature: str, roles: Mapping[str, str]) -> SavedMapping:
    """Remembers the confirmed {role: column} for a header signature; confirming again replaces it."""
    clean = {str(role): str(column) for role, column in roles.items()}
    existing = find_mapping(session, workspace_id, signature)
    if existing is None:
        existing = _insert_or_reread(
            session,
            SavedMapping(workspace_id=workspace_id, column_signature=signature, roles=clean),
            lambda: find_mapping(session, workspace_id, signature),
        )
        if existing.roles == clean:
            return existing
    existing.roles = clean
    existing.confirmed_at = utcnow()
    _flush(session)
    return existing


def find_mapping(session: Session, workspace_id: int, signature: str) -> SavedMapping | None:
    """The mapping confirmed for this header in this workspace, to re-apply to next week's upload."""
    query = select(SavedMapping).where(
        SavedMapping.workspace_id == workspace_id, SavedMapping.column_signature == signature
    )
    return session.scalars(query).one_or_none()


# --- KPI selections and targets -------------------------------------------------------------------------------


def set_kpi_selection(session: Session, workspace_id: int, goal_id: str, kpi_ids: Sequence[str]) -> list[KpiSelection]:
    """Makes `kpi_ids` (in this order) the goal's selected KPIs. Kept KPIs keep their targets; others are removed."""
    if len(set(kpi_ids)) != len(kpi_ids):
        raise InvalidValueError("A KPI was selected twice.")
    current = {row.kpi_id: row for row in list_kpi_selections(session, workspace_id, goal_id)}
    for kpi_id, row in current.items():
        if kpi_id not in kpi_ids:
            session.delete(row)
    for position, kpi_id in enumerate(kpi_ids):
        row = current.get(kpi_id)
        if row is None:
            session.add(KpiSelection(workspace_id=workspace_id, goal_id=goal_id, kpi_id=kpi_id, position=position))
        elif row.position != position:
            row.position = position
    _flush(session)
    return list_kpi_selections(session, workspace_id, goal_id)


def list_kpi_selections(session: Session, workspace_id: int, goal_id: str) -> list[KpiSelection]:
    query = (
        select(KpiSelection)
        .where(KpiSelection.workspace_id == workspace_id, KpiSelection.goal_id == goal_id)
        .order_by(KpiSelection.position, KpiSelection.id)
    )
    return list(session.scalars(query))


def update_target(
    session: Session,
    workspace_id: int,
    selection_id: int,
    expected_version: int,
    *,
    value: float | None,
    kind: str = "at_least",
    period: str = "month",
) -> KpiSelection:
    """Sets a KPI's target, refusing if anyone saved it since the editor read `expected_version`.

    The row is re-read (not taken from the session cache) so the check sees other people's commits; the UPDATE
    itself is guarded by version_id_col, which closes the gap between this read and the write.
    """
    if kind not in TARGET_KINDS:
        raise InvalidValueError(f"Target kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}.")
    if period not in TARGET_PERIODS:
        raise InvalidValueError(f"Target period must be one of {', '.join(TARGET_PERIODS)}; got {period!r}.")
    if value is not None and not math.isfinite(value):
        raise InvalidValueError("A target must be a finite number.")
    query = (
        select(KpiSelection)
        .where(KpiSelection.workspace_id == workspace_id, KpiSelection.id == selection_id)
        .execution_options(populate_existing=True)
    )
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError("This KPI is no longer selected. It may have been removed by someone else.")
    _check_version(row.version, expected_version)
    row.target_value = value
    row.target_kind = kind
    row.target_period = period
    _flush(session)
    return row


# --- custom KPIs ------------------------------------------------------------------------------------------------


def save_custom_kpi(
    session: Session,
    workspace_id: int,
    kpi_id: str,
    *,
    name: str,
    formula: str,
    unit: str,
    direction: str,
    expected_version: int | None = None,
) -> CustomKpi:
    """Creates (`expected_version=None`; DuplicateError if the id is taken) or edits (stale version: refused)."""
    if not KPI_ID_PATTERN.fullmatch(kpi_id):
        raise InvalidValueError(
            f"The KPI id {kpi_id!r} must start with a lowercase letter and use only a-z, 0-9 and '_' (≤ 64)."
        )
    fields = {"name": name, "formula": formula, "unit": unit, "direction": direction}
    if expected_version is None:
        try:
            return _insert(session, CustomKpi(workspace_id=workspace_id, kpi_id=kpi_id, **fields))
        except DuplicateError as exc:
            raise DuplicateError(f"A KPI with the id {kpi_id!r} already exists in this workspace.") from exc
    row = _custom_kpi(session, workspace_id, kpi_id, fresh=True)
    _check_version(row.version, expected_version)
    for key, value in fields.items():
        setattr(row, key, value)
    _flush(session)
    return row


def list_custom_kpis(session: Session, workspace_id: int) -> list[CustomKpi]:
    query = select(CustomKpi).where(CustomKpi.workspace_id == workspace_id).order_by(CustomKpi.name, CustomKpi.id)
    return list(session.scalars(query))


def delete_custom_kpi(session: Session, workspace_id: int, kpi_id: str, expected_version: int | None = None) -> None:
    """Removes a team's KPI and its selections (a selection of a KPI that no longer exists could not be shown)."""
    row = _custom_kpi(session, workspace_id, kpi_id, fresh=True)
    _check_version(row.version, expected_version)
    session.execute(
        delete(KpiSelection).where(KpiSelection.workspace_id == workspace_id, KpiSelection.kpi_id == kpi_id)
    )
    session.delete(row)
    _flush(session)


def _custom_kpi(session: Session, workspace_id: int, kpi_id: str, *, fresh: bool) -> CustomKpi:
    query = select(CustomKpi).where(CustomKpi.workspace_id == workspace_id, CustomKpi.kpi_id == kpi_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(f"The KPI {kpi_id!r} no longer exists. It may have been deleted by someone else.")
    return row


# --- funnel step targets ----------------------------------------------------------------------------------------


def list_funnel_targets(session: Session, workspace_id: int) -> list[FunnelTarget]:
    """The workspace's step targets, by step. Read fresh (populate_existing): the editor's versions come from here."""
    query = (
        select(FunnelTarget)
        .where(FunnelTarget.workspace_id == workspace_id)
        .order_by(FunnelTarget.from_stage, FunnelTarget.stage)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def save_funnel_targets(
    session: Session,
    workspace_id: int,
    targets: Mapping[Step, float | None],
    expected_versions: Mapping[Step, int] | None = None,
) -> list[FunnelTarget]:
    """Sets (a fraction 0..1) or removes (None) the target of each given step; steps not given are left alone.

    With `expected_versions` (the versions the editor was drawn with; a step absent from it had no target then),
    any step someone else created, changed or removed since raises ConcurrentEditError and nothing is saved.
    Without it the last save wins. Returns every target of the workspace after the change.
    """
    for (from_stage, stage), rate in targets.items():
        _check_step(from_stage, stage)
        _check_rate(rate)
    current = {(row.from_stage, row.stage): row for row in list_funnel_targets(session, workspace_id)}
    for step, rate in targets.items():
        row = current.get(step)
        if expected_versions is not None:
            _check_version(row.version if row is not None else -1, expected_versions.get(step, -1))
        if row is None and rate is not None:
            try:
                _insert(session, FunnelTarget(workspace_id=workspace_id, from_stage=step[0], stage=step[1],
                                              target_rate=float(rate)))
            except DuplicateError as exc:  # someone created the same step's target a moment ago
                raise ConcurrentEditError() from exc
        elif row is not None and rate is None:
            session.delete(row)
        elif row is not None and rate is not None and row.target_rate != float(rate):
            row.target_rate = float(rate)
    _flush(session)
    return list_funnel_targets(session, workspace_id)


def _check_step(from_stage: str, stage: str) -> None:
    for role in (from_stage, stage):
        if not role or len(role) > STAGE_ROLE_LENGTH:
            raise InvalidValueError(f"A funnel stage must be a role name of 1–{STAGE_ROLE_LENGTH} characters; got {role!r}.")
    if from_stage == stage:
        raise InvalidValueError(f"A funnel step goes from one stage to another; got {from_stage!r} twice.")


def _check_rate(rate: float | None) -> None:
    if rate is not None and not (math.isfinite(rate) and 0.0 <= rate <= 1.0):
        raise InvalidValueError(f"A step target is a conversion rate between 0 and 100 %; got {rate!r}.")


# --- helpers ----------------------------------------------------------------------------------------------------


def _flush(session: Session) -> None:
    """Flushes now so version and constraint errors surface as domain errors inside the repository call."""
    try:
        session.flush()
    except (IntegrityError, StaleDataError) as exc:
        raise _domain(exc) from exc


def _insert(session: Session, row: Row) -> Row:
    """Adds `row` inside a SAVEPOINT: a unique violation undoes only this insert, not the caller's transaction."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise _domain(exc) from exc
    return row


def _insert_or_reread(session: Session, row: Row, reread: Callable[[], Row | None]) -> Row:
    """Inserts, or, when someone else inserted the same key a moment earlier, returns their row."""
    try:
        return _insert(session, row)
    except DuplicateError:
        winner = reread()
        if winner is None:
            raise
        return winner


def _domain(exc: Exception) -> StoreError:
    return translate(exc) or StoreError()


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise ConcurrentEditError()


def _check_workspace_slug(slug: str) -> None:
    """Slugs may be Korean (the sidebar keeps 한글 readable) but never blank, upper-case, spaced or over 64."""
    valid = (
        0 < len(slug) <= 64
        and slug[0].isalnum()
        and all(ch.isalnum() or ch in "-_" for ch in slug)
        and slug == slug.lower()
    )
    if not valid:
        raise InvalidValueError(
            f"The workspace id {slug!r} must be 1–64 lowercase letters (Korean is fine), digits, '-' or '_'."
        )


def _check_grain(grain: str | None) -> None:
    if grain is not None and grain not in GRAINS:
        raise InvalidValueError(f"Grain must be one of {', '.join(GRAINS)}; got {grain!r}.")
