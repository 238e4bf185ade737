"""The supplement's two licences, kept apart: the code's (the pipeline's own, from pyproject.toml) and the
data's (``article.yml``'s ``license``), stated alike in LICENSE, README.md, CITATION.cff, .zenodo.json and
the RO-Crate."""

from __future__ import annotations

from pathlib import Path


def code_license(repo: Path) -> str:
    """The SPDX id of the pipeline's own licence (its code and notebooks), from pyproject.toml."""
    import tomllib

    try:
        lic = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    except (OSError, KeyError, ValueError):
        return "MIT"
    return lic.get("text", "MIT") if isinstance(lic, dict) else str(lic)


LICENSE_URLS = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
                "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
                "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
                "MIT": "https://opensource.org/license/mit"}


NO_DATA_LICENSE = "no licence given yet (`license` in data/reference/article.yml); a draft only"


def stated(spdx: str) -> str:
    """A licence as the supplement's documents state it: its id and where its text is, or that none is given."""
    return f"{spdx}, {license_url(spdx)}" if spdx else NO_DATA_LICENSE


def license_url(spdx: str) -> str:
    """Where a licence's text is, by its SPDX id."""
    return LICENSE_URLS.get(spdx, f"https://spdx.org/licenses/{spdx}.html")


MIT_TEXT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def license_file(article: dict, code: str, date: str) -> str:
    """``LICENSE``: two licences, kept apart: the code's (the pipeline, the notebooks, the Makefiles) and
    the data's (data/, figures/, tables/, reports/ and the other documents), as README.md,
    CITATION.cff, .zenodo.json and the RO-Crate also state them."""
    data = article.get("license", "")
    head = (f"This supplement holds code and data under two licences.\n\n"
            f"Data, results and documents (data/, figures/, tables/, reports/, index.html, ENTREQ.md, README.md): "
            f"{stated(data)}\n\n"
            f"Code (pipeline/, notebooks/, workspace/, Makefile, tool.mk, pyproject.toml and the lock files): "
            f"{stated(code)}\n\n")
    if code != "MIT":
        return head + f"The text of the code's licence is at {license_url(code)}.\n"
    return head + f"--- {code} ---\n\nCopyright (c) {date[:4]} the authors of the qes-pipeline\n\n" + MIT_TEXT
