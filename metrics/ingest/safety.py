"""Refuses hostile or oversized uploads before any parser sees them: stage 1 of ingest.

Every refusal is one error `Issue` with a stable `code` and one sentence that names the file (and the sheet when
there is one), so the Data page and the command line can show it as is. Nothing here allocates in proportion to
what a file *claims*: zip sizes are read from the central directory, worksheet XML is streamed in chunks.

Why the worksheet scan exists: calamine (our fast reader) builds a dense grid over the bounding box of the cells it
finds, whatever `<dimension>` says. Two cells at A1 and ZZ1000000 in a 2 KB file make it allocate ~20 GB. So the
declared dimension is only advisory (a warning when it is absurd); the refusal is based on the real bounding box,
found by one streaming regex pass over each worksheet that only materialises suspicious cell references.

Codes: extension, empty, too_large, not_zip, corrupt, zip_entries, zip_bomb, encrypted, xml_entities, too_many_cells,
too_many_rows, too_many_columns, not_text, html_as_excel, dimension_declared (warning).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from metrics.ingest.messages import Phrase, make_issue, phrase
from metrics.ingest.model import Issue, Limits

TEXT_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
EXCEL_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls"})
ALLOWED_EXTENSIONS = TEXT_EXTENSIONS | EXCEL_EXTENSIONS

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_BIFF8_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"  # BOF record, BIFF8, workbook globals
_FILEPASS = b"\x2f\x00"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_CHUNK = 4 * 1024 * 1024
_HEAD = 64 * 1024
_RATIO_MIN_ENTRY = 1024 * 1024  # per-entry ratio only matters once an entry is big enough to hurt
_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_DIMENSION = "dimension"


def check(data: bytes, filename: str, limits: Limits) -> list[Issue]:
    """Everything that must hold before parsing. Errors mean: do not parse; warnings are passed on to the user."""
    name = display_name(filename)
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        return [_error(name, "extension", allowed=allowed)]
    if not data:
        return [_error(name, "empty")]
    if len(data) > limits.max_bytes:
        size_mb, limit_mb = len(data) / 1024 / 1024, limits.max_bytes // (1024 * 1024)
        return [_error(name, "too_large", size=f"{size_mb:.1f}", limit=limit_mb)]
    if data.startswith(ZIP_MAGIC):
        return check_zip(data, name, limits)
    if data.startswith(OLE_MAGIC):
        return check_ole(data, name)
    if suffix in (".xlsx", ".xlsm"):
        return [_error(name, "not_zip")]
    if _looks_like_html(data):
        return [_error(name, "html_as_excel")]
    return check_text(data, name)


def display_name(filename: str) -> str:
    """The name shown in messages: the last path part only, so server paths never leak into the UI."""
    return PurePosixPath(filename.replace("\\", "/")).name or "the upload"


def check_text(data: bytes, name: str) -> list[Issue]:
    """A text upload must look like text: NUL bytes or many control characters mean binary data with a text name."""
    head = data[:_HEAD]
    if head.startswith(_BOMS):
        return []
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if b"\x00" in head or controls > max(1, len(head) // 100):
        return [_error(name, "not_text")]
    return []


def check_ole(data: bytes, name: str) -> list[Issue]:
    """OLE/CFB containers: a password-protected .xlsx is one (EncryptedPackage), and so is a legacy .xls."""
    if _ENCRYPTED_PACKAGE in data:
        return [_encrypted(name)]
    if is_encrypted_xls(data):
        return [_encrypted(name)]
    return []


def is_encrypted_xls(data: bytes) -> bool:
    """BIFF8 puts FILEPASS right after the workbook BOF record when a password protects the file."""
    start = data.find(_BIFF8_BOF)
    if start < 0:
        return False
    after_bof = start + len(_BIFF8_BOF) + 12  # BOF body is 16 bytes; 8 of them are in the signature above
    return data[after_bof:after_bof + 2] == _FILEPASS


def check_zip(data: bytes, name: str, limits: Limits) -> list[Issue]:
    """Zip-level bounds from the central directory only (entries, declared sizes, ratio), then each worksheet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return [_error(name, "corrupt")]
    refusal = _zip_bounds(entries, len(data), name, limits)
    if refusal:
        return [refusal]
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return [_error(name, "corrupt.no_workbook")]
    issues: list[Issue] = []
    sheet_names = _sheet_names(archive)
    for entry in entries:
        if _is_worksheet(entry.filename) or entry.filename == "xl/sharedStrings.xml":
            sheet = sheet_names.get(entry.filename)
            found = _check_xml_entry(archive, entry, name, sheet, limits)
            issues.extend(found)
            if any(i.severity == "error" for i in found):
                return [i for i in issues if i.severity == "error"][:1]
    return issues


def _zip_bounds(entries: list[zipfile.ZipInfo], packed: int, name: str, limits: Limits) -> Issue | None:
    if len(entries) > limits.max_zip_entries:
        return _error(name, "zip_entries", entries=f"{len(entries):,}", limit=f"{limits.max_zip_entries:,}")
    if any(e.flag_bits & 0x1 for e in entries):
        return _encrypted(name)
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed_bytes:
        return _error(name, "zip_bomb", size=f"{total / 1024 / 1024:,.0f}",
                      limit=limits.max_uncompressed_bytes // (1024 * 1024))
    worst = max(
        (e.file_size / max(e.compress_size, 1) for e in entries if e.file_size >= _RATIO_MIN_ENTRY), default=0.0
    )
    overall = total / max(packed, 1)
    if max(worst, overall if total >= _RATIO_MIN_ENTRY else 0.0) > limits.max_compression_ratio:
        return _error(name, "zip_bomb.ratio", ratio=f"{max(worst, overall):,.0f}")
    return None


def _is_worksheet(member: str) -> bool:
    return member.startswith("xl/worksheets/") and member.endswith(".xml") and "/_rels/" not in member


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name from workbook.xml and its rels, so messages name the sheet the user sees."""
    try:
        rels = {
            el.get("Id"): el.get("Target", "")
            for el in _small_xml(archive, "xl/_rels/workbook.xml.rels")
            if el.tag.endswith("Relationship")
        }
        names: dict[str, str] = {}
        for el in _small_xml(archive, "xl/workbook.xml"):
            if el.tag.endswith("}sheet"):
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                target = rels.get(rid, "").lstrip("/")
                part = target if target.startswith("xl/") else f"xl/{target}"
                names[part] = el.get("name", "")
        return names
    except (KeyError, DefusedXmlException, SyntaxError, zipfile.BadZipFile, ValueError, OSError):
        return {}


def _small_xml(archive: zipfile.ZipFile, member: str) -> Iterator:
    info = archive.getinfo(member)
    if info.file_size > 8 * 1024 * 1024:
        return iter(())
    with archive.open(info) as stream:
        return iter([el for _, el in iterparse(stream, forbid_dtd=True)])


@dataclass(slots=True)
class _BoundingBox:
    """The largest row and column (1-based) a worksheet's cells reach: what calamine will allocate."""

    rows: int = 0
    cols: int = 0
    irregular: bool = False

    def add_ref(self, letters: bytes, digits: bytes) -> None:
        self.cols = max(self.cols, column_number(letters))
        self.rows = max(self.rows, int(digits))


def column_number(letters: bytes | str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27, 'XFD' → 16384."""
    number = 0
    for ch in letters.decode("ascii") if isinstance(letters, bytes) else letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def _check_xml_entry(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, sheet: str | None, limits: Limits
) -> list[Issue]:
    where = (phrase("part.where_sheet", name=name, sheet_name=sheet) if sheet
             else phrase("part.where_entry", name=name, entry=entry.filename))
    try:
        declared, prefixed = _read_head(archive, entry)
    except DefusedXmlException:
        return [_error(name, "xml_entities", sheet, where=where)]
    except (SyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return [_error(name, "corrupt.part", sheet, where=where, error=type(exc).__name__)]
    if not _is_worksheet(entry.filename):
        return []
    try:
        box = _scan_bounding_box(archive, entry, prefixed)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return [_error(name, "corrupt.checksum", sheet, where=where)]
    except DefusedXmlException:
        return [_error(name, "xml_entities.short", sheet, where=where)]
    except SyntaxError:
        return [_error(name, "corrupt.xml", sheet, where=where)]
    refusal = _box_refusal(box, where, name, sheet, limits)
    if refusal:
        return [refusal]
    if declared and _exceeds(declared[0], declared[1], limits):
        return [make_issue("warning", "dimension_declared", file=name, sheet=sheet, where=where,
                           rows=f"{declared[0]:,}", cols=f"{declared[1]:,}", real_rows=f"{box.rows:,}",
                           real_cols=f"{box.cols:,}")]
    return []


def _exceeds(rows: int, cols: int, limits: Limits) -> bool:
    return rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells


def _box_refusal(box: _BoundingBox, where: Phrase, name: str, sheet: str | None, limits: Limits) -> Issue | None:
    if box.rows > limits.max_rows:
        return _error(name, "too_many_rows", sheet, where=where, rows=f"{box.rows:,}", limit=f"{limits.max_rows:,}")
    if box.cols > limits.max_columns:
        return _error(name, "too_many_columns", sheet, where=where, cols=f"{box.cols:,}",
                      limit=f"{limits.max_columns:,}")
    if box.rows * box.cols > limits.max_cells:
        return _error(name, "too_many_cells", sheet, where=where, rows=f"{box.rows:,}", cols=f"{box.cols:,}",
                      cells=f"{box.rows * box.cols:,}", limit=f"{limits.max_cells:,}")
    return None


def _read_head(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[tuple[int, int] | None, bool]:
    """Parses only the start of a part with defusedxml: rejects DTDs, returns the declared <dimension> if any."""
    with archive.open(entry) as stream:
        head = stream.read(_HEAD)
    prefixed = re.search(rb"<[A-Za-z_][\w.-]*:(worksheet|sst)\b", head[:4096]) is not None
    declared: tuple[int, int] | None = None
    try:
        for _, element in iterparse(io.BytesIO(head), events=("start",), forbid_dtd=True):
            local = element.tag.rsplit("}", 1)[-1]
            if local == _DIMENSION:
                declared = _dimension_size(element.get("ref", ""))
            if local in ("sheetData", _DIMENSION, "si"):
                break
    except SyntaxError:
        if len(head) < _HEAD:  # the whole part was read, so the XML itself is broken
            raise
    return declared, prefixed


def _dimension_size(ref: str) -> tuple[int, int] | None:
    corners = _CELL_REF.findall(ref.upper().replace("$", "").encode("ascii", "ignore"))
    if not corners:
        return None
    letters, digits = corners[-1]
    return int(digits), column_number(letters)


def _scan_bounding_box(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, prefixed: bool) -> _BoundingBox:
    """One streaming pass: the last <row r> of each chunk sets the expected size; only cell refs beyond it
    (more row digits, or a later column) are materialised. Cells without a leading r attribute (legal but rare)
    or namespace-prefixed tags switch to an exact, slower element walk."""
    if prefixed:
        return _exact_bounding_box(archive, entry)
    box = _BoundingBox()
    carry = b""
    with archive.open(entry) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = carry + chunk
            cut = text.rfind(b"<") if chunk else len(text)
            if cut <= 0:
                cut = len(text)
            text, carry = text[:cut], text[cut:]  # never scan a tag cut in half by the chunk boundary
            if not text:
                break
            last_row = text.rfind(b'<row r="')
            if last_row >= 0:
                match = re.match(rb'<row r="(\d+)"', text[last_row:last_row + 24])
                if match:
                    box.rows = max(box.rows, int(match.group(1)))
            if box.cols == 0:  # prime the widest single-letter column from the first rows, so few refs match later
                letters = set(re.findall(rb'<c r="([A-Z])\d', text[:_HEAD]))
                box.cols = max((column_number(x) for x in letters), default=0)
            suspicious = _suspicious_pattern(box)
            for candidate in _candidate_pattern(box).finditer(text):
                hit = suspicious.match(text, candidate.start())
                if hit is None:
                    continue
                ref, odd = hit.groups()
                if odd:
                    return _exact_bounding_box(archive, entry)
                parsed = _CELL_REF.match(ref)
                if parsed:
                    box.add_ref(parsed.group(1), parsed.group(2))
    return box


_PATTERNS: dict[tuple[int, int], re.Pattern[bytes]] = {}


def _suspicious_pattern(box: _BoundingBox) -> re.Pattern[bytes]:
    """Matches cell refs whose column is past the widest seen so far or whose row has more digits than the
    current row count, plus any cell tag whose first attribute is not r (positional cells)."""
    digits = len(str(max(box.rows, 1))) + 1
    key = (box.cols, digits)
    if key not in _PATTERNS:
        if box.cols < 26:
            wider = rb"[A-Z]{2,3}|[" + bytes([65 + box.cols]) + rb"-Z]"
        elif box.cols < 702:
            wider = rb"[A-Z]{3}|[A-Z]{2}"
        else:
            wider = rb"[A-Z]{3}"
        pattern = rb'<c(?: r="((?:' + wider + rb')\d+|[A-Z]{1,3}\d{' + str(digits).encode() + rb',})(?=")|([>/]| (?!r=")))'
        if len(_PATTERNS) >= 256:  # bounded; cleared before adding, so the pattern just made is returned
            _PATTERNS.clear()
        _PATTERNS[key] = re.compile(pattern)
    return _PATTERNS[key]


_CANDIDATES: dict[tuple[int, int], re.Pattern[bytes]] = {}


def _candidate_pattern(box: _BoundingBox) -> re.Pattern[bytes]:
    """Every cell tag except the ordinary ones: r first, one column letter the suspicious pattern does not flag,
    fewer row digits than it flags. `_suspicious_pattern` can only match where this one does, and this one is
    about twice as fast over the millions of ordinary cells, so it finds the places to try the exact pattern."""
    digits = len(str(max(box.rows, 1))) + 1
    key = (box.cols, digits)
    if key not in _CANDIDATES:
        if box.cols < 26:
            letters = b"[A-" + bytes([64 + box.cols]) + b"]" if box.cols else b""
        elif box.cols < 702:
            letters = rb"[A-Z]"
        else:
            letters = rb"[A-Z]{1,2}"
        ordinary = rb'(?! r="' + letters + rb"\d{1," + str(digits - 1).encode() + rb'}")' if letters else b""
        if len(_CANDIDATES) >= 256:
            _CANDIDATES.clear()
        _CANDIDATES[key] = re.compile(rb"<c(?=[ >/])" + ordinary)
    return _CANDIDATES[key]


def _exact_bounding_box(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> _BoundingBox:
    """Follows calamine's positioning rules element by element: r when present, otherwise one past the previous."""
    box = _BoundingBox(irregular=True)
    row = 0
    col = 0
    with archive.open(entry) as stream:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            local = element.tag.rsplit("}", 1)[-1]
            if event == "start" and local == "row":
                row = int(element.get("r") or row + 1)
                col = 0
            elif event == "start" and local == "c":
                ref = _CELL_REF.match((element.get("r") or "").encode("ascii", "ignore"))
                if ref:
                    col, row = column_number(ref.group(1)), int(ref.group(2))
                else:
                    col += 1
                box.rows, box.cols = max(box.rows, row), max(box.cols, col)
            elif event == "end" and local in ("row", "c"):
                element.clear()
    return box


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<html" in head[:256]


def _encrypted(name: str) -> Issue:
    return _error(name, "encrypted")


def _error(name: str, key: str, sheet: str | None = None, **params: object) -> Issue:
    """A refusal: the sentence comes from MESSAGES[key], filled with the file name and `params`."""
    return make_issue("error", key, file=name, sheet=sheet, name=name, **params)
