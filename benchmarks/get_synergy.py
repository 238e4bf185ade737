"""Build labelled files of the SYNERGY reviews for ``bench_simulate`` (issue 23), outside the repository.

SYNERGY (asreview/synergy-dataset, CC-BY 4.0 for the labels; the works are OpenAlex records, CC0) keeps
each review's labels in ``<Dataset>/labels.csv`` (openalex_id, doi, pmid, label_included) and, in the
history of the repository, the works beside them in ``works_1.zip`` (or ``works.zip``, more parts for
large reviews): OpenAlex JSON with the abstract as ``abstract_inverted_index``.  For each dataset, the
newest commit that holds its labels and every part of its works is used, and the two are paired from
that one commit.  The result, one CSV per review with record_id (the OpenAlex id), title, abstract
(rebuilt from the inverted index), year, doi and label_included, goes to
``${XDG_CACHE_HOME:-~/.cache}/qes-pipeline/synergy/``, with ``SOURCE.json`` naming the commit of each.

Usage: ``python benchmarks/get_synergy.py [PATH-TO-A-SYNERGY-GIT-CLONE]`` (without a path the
repository is cloned, which needs access to GitHub).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qes-pipeline" / "synergy"
DEVELOPMENT = ("Donners_2021", "Meijboom_2021", "Muthu_2022", "Nelson_2002", "Oud_2018", "van_der_Valk_2021")


def git(repo: Path, *args: str, binary: bool = False):
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return out.stdout if binary else out.stdout.decode()


def has(repo: Path, commit: str, path: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{commit}:{path}"],
                          capture_output=True).returncode == 0


def trees(repo: Path) -> list[tuple[str, set[str]]]:
    """Every commit, newest first, with the paths of its tree (commits whose tree is not in the clone are
    passed over: a snapshot may lack some)."""
    out = []
    for commit in git(repo, "rev-list", "--all", "--date-order").split():
        listed = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit], capture_output=True)
        if listed.returncode == 0:
            out.append((commit, set(listed.stdout.decode().split("\n"))))
    return out


DATASET = re.compile(r"^(?:datasets/)?([A-Za-z_-]+_\d{4}(?:_corrected)?)/(labels\.csv|works(?:_\d+)?\.zip)$")


def pairs(repo: Path) -> dict[str, tuple[str, str, list[str]]]:
    """For each dataset, (commit, labels path, works paths) of the newest commit that holds its labels and
    every part of its works, all of them readable."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    for commit, paths in trees(repo):
        by_name: dict[str, list[str]] = {}
        for path in paths:
            m = DATASET.match(path)
            if m:
                by_name.setdefault(m.group(1), []).append(path)
        for name, files in by_name.items():
            if name in found:
                continue
            labels = [f for f in files if f.endswith("labels.csv")]
            works = sorted(f for f in files if f.endswith(".zip"))
            if labels and works and all(has(repo, commit, p) for p in labels + works):
                found[name] = (commit, labels[0], works)
    return found


def abstract(inverted: dict | None) -> str:
    """OpenAlex's abstract_inverted_index back to text."""
    if not inverted:
        return ""
    at = {}
    for word, places in inverted.items():
        for p in places:
            at[p] = word
    return " ".join(at[p] for p in sorted(at))


def build(repo: Path, name: str, found: tuple[str, str, list[str]]) -> dict:
    commit, labels_path, works_paths = found
    labels = list(csv.DictReader(io.StringIO(git(repo, "show", f"{commit}:{labels_path}"))))
    works = {}
    for path in works_paths:
        with zipfile.ZipFile(io.BytesIO(git(repo, "show", f"{commit}:{path}", binary=True))) as z:
            for member in z.namelist():
                for w in json.loads(z.read(member)):
                    works[w["id"]] = w
    rows = []
    for lab in labels:
        w = works.get(lab["openalex_id"], {})
        rows.append({"record_id": lab["openalex_id"].rsplit("/", 1)[-1], "title": w.get("title") or "",
                     "abstract": abstract(w.get("abstract_inverted_index")),
                     "year": w.get("publication_year") or "", "doi": lab.get("doi") or "",
                     "label_included": lab["label_included"]})
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {"commit": commit, "labels": labels_path, "works": works_paths, "records": len(rows),
            "relevant": sum(r["label_included"] == "1" for r in rows),
            "with_text": sum(bool(r["title"] or r["abstract"]) for r in rows)}


def main(argv: list[str]) -> int:
    if argv:
        repo = Path(argv[0])
    else:
        repo = Path(tempfile.mkdtemp()) / "synergy-dataset"
        subprocess.run(["git", "clone", "--quiet", "https://github.com/asreview/synergy-dataset", str(repo)], check=True)
    source = {}
    for name, found in sorted(pairs(repo).items()):
        info = build(repo, name, found)
        print(f"{name}: {info['records']} records, {info['relevant']} relevant, {info['with_text']} with text, "
              f"from {info['commit'][:10]}", flush=True)
        source[name] = info | {"development": name in DEVELOPMENT}
    (OUT / "SOURCE.json").write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    print(f"written: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
