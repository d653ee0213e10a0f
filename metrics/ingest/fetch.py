"""Downloads a Google Sheets share link as CSV, so a team can use a live sheet without exporting it by hand.

Only docs.google.com is ever contacted (the link is rewritten to the CSV export URL first, so a pasted link cannot
make the server fetch an arbitrary address). The download has a timeout and a byte cap, and every failure is one
plain sentence: offline, not shared publicly, too large. The bytes then go through the normal `ingest` path.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from metrics.ingest.messages import make_issue
from metrics.ingest.model import Issue

GOOGLE_HOST = "docs.google.com"
_SHEET_PATH = re.compile(r"^/spreadsheets/(?:u/\d+/)?d/(e/)?([A-Za-z0-9_-]{10,})")
_GID = re.compile(r"(?:^|[#&?])gid=(\d+)")
_SOURCE = "Google Sheets link"


def google_sheet_csv_url(url: str) -> str | None:
    """The CSV export URL of a share link (`/edit#gid=…`, `/edit?usp=sharing`, `/u/0/d/…`, `/view`, a bare
    `/d/<id>`), or of a published-to-web link (`/d/e/<id>/pubhtml`); None when it is not a Google Sheets link."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or parts.hostname != GOOGLE_HOST:
        return None
    match = _SHEET_PATH.match(parts.path)
    if not match:
        return None
    published, sheet_id = bool(match.group(1)), match.group(2)
    gid = _find_gid(parts.query, parts.fragment)
    if published:
        suffix = f"&gid={gid}" if gid is not None else ""
        return f"https://{GOOGLE_HOST}/spreadsheets/d/e/{sheet_id}/pub?output=csv{suffix}"
    suffix = f"&gid={gid}" if gid is not None else ""
    return f"https://{GOOGLE_HOST}/spreadsheets/d/{sheet_id}/export?format=csv{suffix}"


def _find_gid(query: str, fragment: str) -> str | None:
    values = parse_qs(query).get("gid")
    if values and values[0].isdigit():
        return values[0]
    match = _GID.search(fragment)
    return match.group(1) if match else None


def fetch_google_sheet(url: str, timeout_s: float, max_bytes: int) -> tuple[bytes | None, str, list[Issue]]:
    """(bytes or None, a file name for ingest ending in .csv, issues). Never raises."""
    export = google_sheet_csv_url(url)
    if export is None:
        return None, "google_sheet.csv", [make_issue("error", "not_google_sheet", file=_SOURCE)]
    sheet_id = _SHEET_PATH.match(urlsplit(export).path).group(2)  # type: ignore[union-attr]
    filename = f"google_sheet_{sheet_id[:12]}.csv"
    data, issues = download(export, timeout_s, max_bytes, filename)
    return data, filename, issues


def download(url: str, timeout_s: float, max_bytes: int, filename: str) -> tuple[bytes | None, list[Issue]]:
    """GET with a timeout and a byte cap. Separate from the URL rewrite so tests can aim it at a closed port."""
    request = urllib.request.Request(url, headers={"User-Agent": "Loopboard/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            content_type = response.headers.get("Content-Type", "")
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403, 404):
            return None, [_fail(filename, "not_shared", status=exc.code)]
        return None, [_fail(filename, "fetch_failed", status=exc.code)]
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, [_fail(filename, "offline", reason=reason)]
    if len(data) > max_bytes:
        return None, [_fail(filename, "too_large.google", limit=max_bytes // (1024 * 1024))]
    if "text/html" in content_type.lower():
        return None, [_fail(filename, "not_shared.sign_in")]
    return data, []


def _fail(filename: str, key: str, **params: object) -> Issue:
    return make_issue("error", key, file=filename, **params)
