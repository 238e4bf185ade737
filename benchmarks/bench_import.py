"""Reading time of one export against its size: every reader should be linear (issue 22: a BibTeX
file with a 1 MB title took 43 s, most of it in the LaTeX decoder and in fuzzy-matching the title).

For BibTeX (a plain title, and a title of LaTeX accents), a CSV with an unbalanced quote near the top,
and RIS, the file is read (``records.read_export``) and deduplicated (``dedup.find_duplicates``) at
three sizes; the result is the median of three runs per size and the ratio of the largest to the
smallest, which is the size ratio (4) for a linear reader.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.search import dedup, records  # noqa: E402
from pipeline.search.readers.base import Report  # noqa: E402

SIZES = (250_000, 500_000, 1_000_000)  # characters of the large value / bytes of the file


def files(size: int) -> dict[str, tuple[str, str]]:
    """(file name, content) of each case at ``size``."""
    row = "Mentoring at a distance in higher education,Doe J; Roe R,2019,10.1234/abcd.{i}\n"
    n_rows = size // len(row)
    csv = "Title,Authors,Year,DOI\n" + '"' + "".join(row.format(i=i) for i in range(n_rows))
    ris = "".join(f"TY  - JOUR\nTI  - Mentoring study {i}\nAU  - Doe, J\nPY  - 2019\nDO  - 10.1234/x.{i}\nER  - \n\n"
                  for i in range(size // 70))
    return {
        "bibtex_plain_title": ("a.bib", "@article{a, title = {" + "word " * (size // 5) + "}, year = 2020}\n"
                                        "@article{b, title = {Mentoring}, author = {Doe, J}, year = 2020}\n"),
        "bibtex_latex_title": ("b.bib", "@article{a, title = {" + "\\'e " * (size // 4) + "}, year = 2020}\n"),
        "csv_unbalanced_quote": ("c.csv", csv),
        "ris": ("d.ris", ris),
    }


def measure(path: Path) -> float:
    start = time.perf_counter()
    df = records.read_export(path, "X", report=Report())
    dedup.find_duplicates(df.assign(round=1), None)
    return time.perf_counter() - start


def main() -> dict:
    out: dict = {"sizes": list(SIZES)}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            for case, (name, content) in files(size).items():
                path = Path(tmp) / name
                path.write_text(content, encoding="utf-8")
                out.setdefault(case, {})[str(size)] = round(statistics.median(measure(path) for _ in range(3)), 3)
    for case in files(SIZES[0]):
        t = out[case]
        out[case]["ratio_largest_to_smallest"] = round(t[str(SIZES[-1])] / max(t[str(SIZES[0])], 1e-9), 2)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
