"""Runs the ingest stages in order and turns any failure into an issue: this is the only public entry point."""

from __future__ import annotations

import logging
from pathlib import Path

from metrics.ingest import layout, readers, safety
from metrics.ingest.messages import make_issue
from metrics.ingest.model import IngestOptions, IngestResult

_log = logging.getLogger(__name__)


def ingest(data: bytes, filename: str, options: IngestOptions | None = None) -> IngestResult:
    """Parses one uploaded file. Never raises for bad input: refusals come back as error issues and no sources.

    Every stage reports problems as issues; should one still raise (a bug, or a file shaped like nothing we have
    seen), the user gets one sentence naming the file, the traceback goes to the server log, and nothing stored
    is touched, since ingest never writes.
    """
    try:
        return _ingest(data, filename, options or IngestOptions())
    except Exception as exc:  # the last guard: a marketer never sees a traceback
        _log.exception("ingest failed on %s", filename)
        issue = make_issue("error", "internal", file=filename, name=filename, error=type(exc).__name__)
        return IngestResult(file=filename, sources=[], issues=[issue])


def _ingest(data: bytes, filename: str, options: IngestOptions) -> IngestResult:
    refusals = safety.check(data, filename, options.limits)
    if any(i.severity == "error" for i in refusals):
        return IngestResult(file=filename, sources=[], issues=refusals)
    sheets, read_issues = readers.read(data, filename, options.limits)
    if not sheets:
        return IngestResult(file=filename, sources=[], issues=[*refusals, *read_issues])
    sources, layout_issues = layout.build_sources(sheets, filename, options)
    return IngestResult(file=filename, sources=sources, issues=[*refusals, *read_issues, *layout_issues])


def ingest_path(path: str | Path, options: IngestOptions | None = None) -> IngestResult:
    """Convenience for the command line and tests: reads the file (size-checked first) and ingests it."""
    path = Path(path)
    options = options or IngestOptions()
    try:
        size = path.stat().st_size
    except OSError as exc:
        issue = make_issue("error", "unopenable", file=path.name, name=path.name, reason=exc.strerror)
        return IngestResult(path.name, [], [issue])
    if size > options.limits.max_bytes:
        limit_mb = options.limits.max_bytes // (1024 * 1024)
        issue = make_issue("error", "too_large", file=path.name, name=path.name, size=f"{size / 1024 / 1024:.1f}",
                           limit=limit_mb)
        return IngestResult(path.name, [], [issue])
    return ingest(path.read_bytes(), path.name, options)
