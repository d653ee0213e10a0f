"""Runs the ingest stages in order and turns any failure into an issue: this is the only public entry point."""

from __future__ import annotations

from pathlib import Path

from metrics.ingest import layout, readers, safety
from metrics.ingest.model import IngestOptions, IngestResult, Issue


def ingest(data: bytes, filename: str, options: IngestOptions | None = None) -> IngestResult:
    """Parses one uploaded file. Never raises for bad input: refusals come back as error issues and no sources."""
    options = options or IngestOptions()
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
