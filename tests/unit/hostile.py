"""Builders of hostile and awkward uploads, made byte by byte so each test states exactly what the attack is.

All builders are small and deterministic. The zip bomb streams 300 MB of zeros through zipfile in 1 MB writes, so
only its ~300 KB compressed form is ever held in memory.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_EMPTY_SST = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + _NS + b' count="0" uniqueCount="0"></sst>'


def sheet_xml(cells: list[tuple[str, float]], dimension: str | None = None, prolog: bytes = b"") -> bytes:
    """A worksheet part with numeric cells at the given references, one <row> per distinct row number."""
    rows: dict[int, list[bytes]] = {}
    for ref, value in cells:
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(f'<c r="{ref}"><v>{value}</v></c>'.encode())
    body = b"".join(f'<row r="{r}">'.encode() + b"".join(c) + b"</row>" for r, c in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog + b"<worksheet " + _NS + b">"
            + dim + b"<sheetData>" + body + b"</sheetData></worksheet>")


def raw_xlsx(sheet: bytes, shared_strings: bytes = _EMPTY_SST) -> bytes:
    """A minimal but valid workbook package around a hand-written sheet part (calamine opens it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """~1.5 KB that declares the whole Excel grid (A1:XFD1048576) but holds two cells."""
    return raw_xlsx(sheet_xml([("A1", 1), ("B1", 2)], dimension="A1:XFD1048576"))


def sparse_bomb() -> bytes:
    """Two real cells at A1 and ZZ1000000 under a lying dimension: calamine would allocate a 702M-cell grid."""
    return raw_xlsx(sheet_xml([("A1", 1), ("ZZ1000000", 2)], dimension="A1:B2"))


def positional_bomb() -> bytes:
    """Cells without an r attribute, placed by position: row 1,500,000 and 50 columns, in a few hundred bytes."""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + _NS + b"><sheetData>"
             b'<row r="1"><c><v>1</v></c></row><row r="1500000">' + b"<c/>" * 49 + b"<c><v>2</v></c></row>"
             b"</sheetData></worksheet>")
    return raw_xlsx(sheet)


def zip_bomb(megabytes: int = 300) -> bytes:
    """A workbook whose sheet part is `megabytes` MB of zeros after its header (~1000:1 compression)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>")
            zeros = bytes(1024 * 1024)
            for _ in range(megabytes):
                stream.write(zeros)
    return buffer.getvalue()


def many_entries(count: int = 2_500) -> bytes:
    """A valid workbook padded with thousands of tiny parts."""
    buffer = io.BytesIO(raw_xlsx(sheet_xml([("A1", 1)])))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"xl/media/pad{i}.bin", b"x")
    return buffer.getvalue()


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs(part: str = "sheet") -> bytes:
    """Entity expansion (10^9 'lol's) in the worksheet or in sharedStrings.xml."""
    if part == "sheet":
        sheet = _LAUGHS + b"<worksheet " + _NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;' \
                b"</t></is></c></row></sheetData></worksheet>"
        return raw_xlsx(sheet)
    sst = _LAUGHS + b"<sst " + _NS + b' count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    sheet = (b'<?xml version="1.0"?><worksheet ' + _NS + b'><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             b"</row></sheetData></worksheet>")
    return raw_xlsx(sheet, sst)


def encrypted_ooxml() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE compound file holding an EncryptedPackage stream."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack("<HH", 0x3E, 3) + b"\xfe\xff"
    header = header.ljust(512, b"\x00")
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + directory.ljust(512, b"\x00") + bytes(1024)


def encrypted_xls() -> bytes:
    """A legacy workbook stream whose BOF record is followed by FILEPASS (RC4 encryption)."""
    header = bytes.fromhex("d0cf11e0a1b11ae1").ljust(512, b"\x00")
    bof = struct.pack("<HHHH", 0x0809, 16, 0x0600, 0x0005) + bytes(12)
    filepass = struct.pack("<HHH", 0x002F, 54, 1) + bytes(52)
    return header + (bof + filepass).ljust(512, b"\x00")


def binary_garbage(size: int = 4096, seed: int = 7) -> bytes:
    """Random bytes (with NULs and control characters), as from a mis-saved or corrupted file."""
    return random.Random(seed).randbytes(size)


def utf16_csv(rows: list[list[str]], delimiter: str = "\t") -> bytes:
    """UTF-16 LE with BOM: what Excel's 'Unicode Text' export produces."""
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    return text.encode("utf-16")


def sparse_at_limit() -> bytes:
    """Two cells at A1 and L1000000: exactly 12,000,000 cells, the default limit, so it is read, not refused."""
    return raw_xlsx(sheet_xml([("A1", 1), ("L1000000", 2)]))
