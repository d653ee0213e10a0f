"""Runs the ingest stages in order and turns any failure into an issue: this is the only public entry point."""

from __future__ import annotations

import logging
from pathlib import Path

from metrics.ingest import layout, readers, safety
from metrics.ingest.model import IngestOptions, IngestResult, Issue

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
        message = f"{filename} could not be read ({type(exc).__name__}); nothing was changed. Try saving it again as .xlsx or .csv."
        return IngestResult(file=filename, sources=[], issues=[Issue("error", message, file=filename, code="internal")])


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
        return IngestResult(path.name, [], [Issue("error", f"{path.name} could not be opened: {exc.strerror}.", file=path.name)])
    if size > options.limits.max_bytes:
        limit_mb = options.limits.max_bytes // (1024 * 1024)
        message = f"{path.name} is {size / 1024 / 1024:.1f} MB; the limit is {limit_mb} MB."
        return IngestResult(path.name, [], [Issue("error", message, file=path.name, code="too_large")])
    return ingest(path.read_bytes(), path.name, options)
