"""Reading the files that databases and reference managers export: one front door, ``read_file``.

It decodes the bytes with the encoding it finds (a BOM, then strict UTF-8, then
charset-normalizer), recognizes the format from the content (the extension only breaks ties),
and hands the text to that format's reader in ``readers/``; every reader returns the same record
fields.  A bad value never refuses a good file: it is blanked and reported (file, line, field,
what was done).  Only a file that cannot be read at all is refused (``InputError``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, require_file
from ..schemas import CONTROL
from .readers.base import FIELDS, Report
from .readers.bibtex import read_bibtex
from .readers.endnote_xml import read_endnote_xml
from .readers.medline import read_medline
from .readers.refer import read_refer
from .readers.ris import read_ris
from .readers.table import rows_from_text, rows_from_xlsx, read_table
from .readers.wos import read_wos


MAX_BYTES = 2_000_000_000


@dataclass
class Export:
    """One file as read: its records (text fields, one dict each), line of each record, and how it was read."""

    records: list[dict]
    lines: list
    format: str
    encoding: str


def decode(data: bytes, path, report: Report | None = None) -> tuple[str, str]:
    """Text and the name of the encoding used: BOM, strict UTF-8, UTF-8 with a few stray bytes (each
    replaced by U+FFFD and reported), else charset-normalizer's best guess."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data, path, report)
    if mostly is not None:
        return mostly
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:2_000_000]))
    if not matches:
        raise InputError(path, "a text file in a known encoding (UTF-8, UTF-16, cp1252, GBK, ...); "
                         "this looks like binary data")
    # A few accented letters in an English export also read as two-byte Chinese, and the
    # detector cannot tell them apart on so little.  The bytes can: a single-byte code page puts
    # one non-ASCII byte between ASCII letters ('Éléments'), GBK, Big5 or Shift-JIS put pairs.
    runs = [len(m.group(0)) for m in re.finditer(rb"[\x80-\xff]+", data[:2_000_000])]
    if runs and sum(r == 1 for r in runs) >= 0.8 * len(runs):
        try:
            return data.decode("cp1252"), "cp1252"  # the Windows default behind Western exports
        except UnicodeDecodeError:
            pass
    encoding = matches[0].encoding
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode(encoding, errors="replace"), f"{encoding} (with replacements)"


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes, path, report: Report | None) -> tuple[str, str] | None:
    """UTF-8 text with a stray byte or two of another encoding (a title pasted from a Windows tool): read
    as UTF-8, each bad byte replaced and reported with its line.  None when the file is not mostly UTF-8
    (fewer well-formed multi-byte characters than bad bytes): then it is in another encoding."""
    bad: list[int] = []

    def replace(err: UnicodeDecodeError):
        bad.append(err.start)
        return "\ufffd", err.start + 1

    codecs.register_error("qes-stray-byte", replace)
    text = data.decode("utf-8", errors="qes-stray-byte")
    if len(UTF8_SEQUENCE.findall(data)) <= len(bad):
        return None
    if report is not None:
        for pos in bad[:20]:
            report.add(path, data.count(b"\n", 0, pos) + 1, "", "kept",
                       f"byte 0x{data[pos]:02x} is not UTF-8 (the rest of the file is): replaced by U+FFFD")
        if len(bad) > 20:
            report.add(path, None, "", "kept", f"{len(bad) - 20} more bytes that are not UTF-8 replaced by U+FFFD")
    return text, f"utf-8 ({len(bad)} byte(s) replaced)"


FORMAT_NAMES = {"ris": "RIS", "medline": "PubMed/MEDLINE", "wos": "Web of Science text", "refer": "Refer/EndNote text",
                "bibtex": "BibTeX", "endnote_xml": "EndNote XML", "table": "a table", "xlsx": "an XLSX workbook"}


def binary(text: str) -> bool:
    """More than one character in a hundred is a control character no text export has: binary data
    decoded as text.  (One NUL in a title is a bad value, cleaned and reported by ``records``.)"""
    head = text[:65536]
    return len(CONTROL.findall(head)) > max(len(head) // 100, 2)


def sniff(data: bytes, text: str | None, suffix: str) -> str:
    """The format from the content; the extension only decides between formats the content allows."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if text is None:
        return "unknown"
    head = text[:20000].lstrip("\ufeff \t\r\n")
    if re.match(r"<\?xml|<xml>|<records>", head) and "<record" in head:
        return "endnote_xml"
    if re.search(r"^PT [A-Z]\s*$", head, re.M) and re.search(r"^(FN|VR|TI|AU) ", head, re.M):
        return "wos"
    if re.search(r"^TY  -", head, re.M):
        return "ris"
    if re.search(r"^PMID- ?\d*", head, re.M) or (re.search(r"^(OWN|TI|AU|FAU) {0,2}- ", head, re.M)
                                                and re.search(r"^[A-Z]{2,4} {0,3}- ", head, re.M)
                                                and not re.search(r"^ER  -", head, re.M)):
        return "medline"
    if re.search(r"^%[0A-Z] ", head, re.M):
        return "refer"
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", head, re.M):
        return "bibtex"
    if suffix in (".ris",):
        return "ris"
    if suffix in (".bib", ".bibtex"):
        return "bibtex"
    return "table"


def read_file(path: Path, report: Report) -> Export:
    """Read one export, whatever its format and encoding; refuse only an unreadable file."""
    path = Path(path)
    require_file(path)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(path, f"a file under {MAX_BYTES // 10**9} GB")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "an export with at least one record (the file is empty)")
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        recs, starts = read_table(rows_from_xlsx(path), path, report)
        return Export(_frame(_some(recs, path, "xlsx")), starts, "xlsx", "binary (xlsx)")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(path, "an XLSX, CSV or tagged text export (old binary .xls files: save as .xlsx)")
    text, encoding = decode(data, path, report)
    if binary(text):
        raise InputError(path, "a text export (RIS, PubMed, BibTeX, CSV, ...) or XLSX; this file holds binary data "
                         "(a PDF, a program, a compressed file?)")
    fmt = sniff(data, text, suffix)
    if fmt == "endnote_xml":
        recs, starts = read_endnote_xml(data, text, path)
    elif fmt == "ris":
        recs, starts = read_ris(text, path, report)
    elif fmt == "medline":
        recs, starts = read_medline(text, path)
    elif fmt == "wos":
        recs, starts = read_wos(text, path)
    elif fmt == "refer":
        recs, starts = read_refer(text, path)
    elif fmt == "bibtex":
        recs, starts = read_bibtex(text, path, report)
    else:
        rows, lines = rows_from_text(text, suffix, path, report)
        recs, starts = read_table(rows, path, report, lines)
    return Export(_frame(_some(recs, path, fmt)), starts, fmt, encoding)


def _some(recs: list[dict], path, fmt: str) -> list[dict]:
    """The records, or the file refused: an export in which no record was found is not an export."""
    if not recs:
        raise InputError(path, f"an export with at least one record; read as {FORMAT_NAMES.get(fmt, fmt)}, it has "
                         f"none (a page of text, or a file saved in a format this tool does not read: RIS, "
                         f"PubMed/MEDLINE, Web of Science text, EndNote XML, BibTeX, Refer, CSV/TSV or XLSX)")
    return recs


def _frame(recs: list[dict]) -> list[dict]:
    """Every field of every record present, as stripped text."""
    return [{f: str(r.get(f) or "").strip() for f in FIELDS} for r in recs]
