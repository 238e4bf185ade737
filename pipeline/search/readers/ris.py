"""RIS, every dialect (EndNote, Ovid, Cochrane, EBSCO, Scopus, ProQuest, Zotero, ...), with rispy."""

from __future__ import annotations

import re

from .base import Report, clean_doi, first, join, label_from_notes, lines_of, pages_of, reviewer_labels, keywords_of


def _ris_records(lines: list[str], path, report: Report) -> tuple[list[str], list[int]]:
    """Only what rispy can take: text between records (EndNote's '1.', a banner, a comment) is
    dropped, a record that lacks its 'ER' is closed at the next 'TY', and tags written with one
    space ('KW - x', 'PMID - 1') get the standard two."""
    out, starts, open_at, dropped = [], [], None, 0
    for n, line in enumerate(lines, 1):
        m = re.match(r"^([A-Z][A-Z0-9]{1,3})\s{1,2}-( |$)(.*)$", line)
        tag = m.group(1) if m and len(m.group(1)) == 2 else None
        if tag == "TY":
            if open_at is not None:
                out.append("ER  - ")
                report.add(path, open_at, "", "kept", "record without 'ER  -'; closed at the next 'TY  -'")
            open_at = n
            starts.append(n)
            out.append(f"TY  - {m.group(3)}")
        elif open_at is None:
            dropped += bool(line.strip())
        elif tag == "ER":
            out.append("ER  - ")
            open_at = None
        elif tag:
            out.append(f"{tag}  - {m.group(3)}")
        elif m:
            continue  # a tag RIS does not have ('PMID - ...'): nothing rispy could use
        else:
            out.append(line)
    if open_at is not None:
        out.append("ER  - ")
    if dropped:
        report.add(path, None, "", "kept", f"{dropped} line(s) outside any record ignored")
    return out, starts


def read_ris(text: str, path, report: Report) -> tuple[list[dict], list]:
    """Records of a RIS export, leniently: see ``_ris_records`` for what is tolerated."""
    import rispy

    lines, starts = _ris_records(lines_of(text.lstrip("\ufeff")), path, report)
    try:
        entries = rispy.loads("\n".join(lines), skip_unknown_tags=False, enforce_list_tags=False)
    except Exception:  # noqa: BLE001 -- rispy fails on some malformed records: parse them one by one
        entries, kept = [], []
        bounds = [i for i, line in enumerate(lines) if line.startswith("TY  - ")] + [len(lines)]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            try:
                entries += rispy.loads("\n".join(lines[a:b]), skip_unknown_tags=False, enforce_list_tags=False)
                kept.append(starts[k])
            except Exception:  # noqa: BLE001
                report.add(path, starts[k], "", "skipped", "a RIS record that cannot be parsed")
        starts = kept
    out = []
    for e in entries:
        notes = join(e.get("notes")) + " " + join(e.get("note")) + " " + join(e.get("research_notes"))
        doi = ""
        for k in ("doi", "related_records", "urls", "link_to_pdf", "file_attachments1", "file_attachments2",
                  "note", "notes", "custom1", "type_of_work"):  # type_of_work is M3: some tools put the DOI there
            doi = clean_doi(join(e.get(k)))
            if doi:
                break
        unknown = e.get("unknown_tag") or {}
        if not doi and isinstance(unknown, dict):
            doi = clean_doi(join(unknown.get("L3")) or join(unknown.get("DI")))
        out.append({
            "title": first(e, "title", "primary_title", "translated_title"),
            "abstract": first(e, "abstract", "notes_abstract"),
            "authors": join(e.get("authors") or e.get("first_authors") or []),
            "year": first(e, "year", "publication_year", "date"),
            "doi": doi,
            "journal": first(e, "secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                             "alternate_title2", "tertiary_title"),
            "volume": first(e, "volume"), "issue": first(e, "number"),
            "pages": pages_of(first(e, "start_page"), first(e, "end_page")),
            "type": first(e, "type_of_reference") + (" " + first(e, "type_of_work")
                                                     if e.get("type_of_work") and not clean_doi(first(e, "type_of_work"))
                                                     else ""),
            "language": first(e, "language"), "keywords": keywords_of(e.get("keywords") or []),
            "label": label_from_notes(notes), "reviewers": reviewer_labels(notes),
            "database": first(e, "name_of_database", "database_provider"),
        })
    if len(starts) != len(out):
        starts = [None] * len(out)
    return out, starts
