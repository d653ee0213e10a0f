"""Domain errors the store raises instead of driver exceptions, so a page can explain what happened.

Every error carries a stable `code` (for the UI's i18n lookup) and an English message a marketer can act on.
`translate()` maps SQLAlchemy's IntegrityError, StaleDataError and SQLite's "database is locked" onto them;
the unit of work and the repository's flush helper call it, so pages never see a driver exception.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError


class StoreError(Exception):
    """Base class: something the user asked for could not be saved or found. Nothing was changed."""

    code: ClassVar[str] = "store_error"
    default_message: ClassVar[str] = "The change could not be saved. Nothing was changed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ConcurrentEditError(StoreError):
    """Someone else saved the same record after it was read: we refuse to overwrite their change silently."""

    code = "concurrent_edit"
    default_message = (
        "Someone else changed this while you were editing it. Reload to see their change, then apply yours again."
    )


class DuplicateError(StoreError):
    """A record with the same unique key (slug, KPI id, file content) already exists in the workspace."""

    code = "duplicate"
    default_message = "This already exists in the workspace."


class NotFoundError(StoreError):
    """The record does not exist in this workspace (deleted meanwhile, or it belongs to another workspace)."""

    code = "not_found"
    default_message = "This item no longer exists. It may have been deleted by someone else."


class InvalidValueError(StoreError):
    """A value the schema would refuse (unknown target kind, malformed slug): caught before it reaches the driver."""

    code = "invalid_value"
    default_message = "A value was not valid, so nothing was saved."


class DatabaseBusyError(StoreError):
    """Another save held the SQLite write lock longer than busy_timeout; retrying in a moment usually works."""

    code = "busy"
    default_message = "The database is busy with another save. Please try again in a moment; nothing was changed."


def translate(exc: BaseException) -> StoreError | None:
    """The domain error for a driver/ORM exception, or None when it is not one we know how to explain."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, StaleDataError):
        return ConcurrentEditError()
    if isinstance(exc, IntegrityError):
        return _integrity(exc)
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return DatabaseBusyError()
    return None


def _integrity(exc: IntegrityError) -> StoreError:
    """Tells unique, foreign-key and check violations apart by SQLSTATE (PostgreSQL) or message (SQLite)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    text = str(exc.orig).lower()
    if sqlstate == "23505" or "unique constraint" in text:
        return DuplicateError()
    if sqlstate == "23503" or "foreign key constraint" in text:
        return NotFoundError("The workspace or item this refers to no longer exists. Nothing was saved.")
    if sqlstate == "23514" or "check constraint" in text:
        return InvalidValueError()
    return StoreError()
