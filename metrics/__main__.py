"""The command line of DESIGN.md: `python -m metrics report FILE ...` and `python -m metrics catalog`.

Scripts and checks depend on this contract, so the JSON shape is fixed here and nowhere else. Input that cannot be
used ends with exit status 2 and one plain sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from metrics.dataset import Dataset
from metrics.ingest import IngestOptions, IngestResult, Source, ingest_path

EXIT_UNUSABLE = 2


class UnusableInput(Exception):
    """Raised for input the report cannot use; its message is the one sentence printed on stderr."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "catalog":
            return _catalog(args)
        return _report(args)
    except UnusableInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="Loopboard's KPI engine on the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="ingest files and report sources, KPIs, funnel and goal")
    report.add_argument("files", nargs="+", metavar="FILE")
    report.add_argument("--sheet", help="use this sheet instead of the detected one")
    report.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN", help="force a column's role")
    report.add_argument("--goal", metavar="GOAL_ID")
    report.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD")
    report.add_argument("--format", choices=("json", "text"), default="text")
    catalog = commands.add_parser("catalog", help="print the goal → KFS → KPI catalog")
    catalog.add_argument("--format", choices=("json", "text"), default="text")
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from exc


def _overrides(pairs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    from metrics.roles import ALL_ROLES

    parsed = []
    for pair in pairs:
        role, sep, column = pair.partition("=")
        if not sep or not role.strip():
            raise UnusableInput(f"--map {pair!r} must look like ROLE=COLUMN, e.g. revenue=매출액.")
        if role.strip() not in ALL_ROLES:
            raise UnusableInput(f"--map {pair!r}: {role.strip()!r} is not a role; roles are: {', '.join(ALL_ROLES)}.")
        parsed.append((role.strip(), column.strip()))
    return tuple(parsed)


def _ingest_all(args: argparse.Namespace) -> list[IngestResult]:
    options = IngestOptions(sheet=args.sheet, overrides=_overrides(args.map))
    results = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UnusableInput(f"{name} does not exist or is not a file.")
        result = ingest_path(path, options)
        if not result.ok:
            errors = [i.message for i in result.all_issues() if i.severity == "error"]
            raise UnusableInput(errors[0] if errors else f"{path.name} has no table Loopboard can use.")
        if not any(source.roles for source in result.sources):
            raise UnusableInput(f"{path.name}: no column could be matched to a role; use --map ROLE=COLUMN.")
        results.append(result)
    _check_overrides_found(options, results)
    return results


def _check_overrides_found(options: IngestOptions, results: list[IngestResult]) -> None:
    columns = {str(c) for r in results for s in r.sources for c in s.table.columns}
    for role, column in options.overrides:
        if column and column not in columns:
            raise UnusableInput(f"--map {role}={column}: no file has a column named {column!r}.")


def _source_json(result: IngestResult, source: Source, first: bool) -> dict[str, Any]:
    issues = ([*result.issues] if first else []) + source.issues
    return {
        "file": result.file,
        "sheet": source.sheet,
        "grain": source.grain,
        "rows_read": source.rows_read,
        "rows_used": source.rows_used,
        "roles": dict(source.roles),
        "issues": [issue.to_json() for issue in issues],
    }


def build_report(results: list[IngestResult], start: date | None, end: date | None, goal: str | None) -> dict[str, Any]:
    """The whole JSON report of DESIGN.md for already ingested files (also used by tests)."""
    from metrics.funnel import report_funnel
    from metrics.kpi import report_goal, report_kpis

    sources = [s for r in results for s in r.sources]
    dataset = Dataset.from_sources(sources).between(start, end)
    span = dataset.date_range()
    return {
        "sources": [_source_json(r, s, i == 0) for r in results for i, s in enumerate(r.sources)],
        "period": {"start": span[0].isoformat(), "end": span[1].isoformat()} if span else None,
        "kpis": report_kpis(dataset),
        "funnel": report_funnel(dataset),
        "goal": report_goal(dataset, goal) if goal else None,
    }


def _report(args: argparse.Namespace) -> int:
    results = _ingest_all(args)
    if args.goal:
        from metrics.catalog import load_catalog

        if args.goal not in {g.id for g in load_catalog().goals}:
            raise UnusableInput(f"--goal {args.goal!r} is not a goal; `python -m metrics catalog` lists them.")
    report = build_report(results, args.start, args.end, args.goal)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2, default=_json_default))
    else:
        print(_report_text(report))
    return 0


def _catalog(args: argparse.Namespace) -> int:
    from metrics.catalog import catalog_json

    catalog = catalog_json()
    if args.format == "json":
        print(json.dumps(catalog, ensure_ascii=False, indent=2))
        return 0
    for goal in catalog["goals"]:
        print(f"{goal['id']}: {goal['name']['en']} / {goal['name']['ko']}")
        for kfs in goal["kfs"]:
            print(f"  {kfs['id']}: {kfs['name']['en']} — {', '.join(kfs['kpis'])}")
    return 0


def _report_text(report: dict[str, Any]) -> str:
    lines = []
    for source in report["sources"]:
        where = source["file"] + (f" [{source['sheet']}]" if source["sheet"] else "")
        lines.append(f"{where}: {source['grain']}, {source['rows_used']:,} of {source['rows_read']:,} rows used")
        lines.extend(f"  {role:<16} ← {column}" for role, column in sorted(source["roles"].items()))
        lines.extend(f"  {i['severity']}: {i['message']}" for i in source["issues"] if i["severity"] != "info")
    if report["period"]:
        lines.append(f"period: {report['period']['start']} … {report['period']['end']}")
    lines.append("KPIs:")
    for kpi_id, kpi in sorted(report["kpis"].items()):
        value = "—" if kpi["value"] is None else f"{kpi['value']:,.4f}".rstrip("0").rstrip(".")
        lines.append(f"  {kpi_id:<24} {value:>18}  ({kpi['unit']})")
    if report["funnel"]:
        lines.append("Funnel:")
        for stage in report["funnel"]:
            rate = "" if stage["rate_from_previous"] is None else f"  {stage['rate_from_previous']:.1%} of previous"
            lines.append(f"  {stage['stage']:<16} {stage['count']:>14,.0f}{rate}")
    return "\n".join(lines)


def _json_default(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


if __name__ == "__main__":
    sys.exit(main())
