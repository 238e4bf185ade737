"""Only what the project needs is at the repository's root: tools and benchmarks keep their caches elsewhere."""

import subprocess

import pytest

from conftest import ROOT

EXPECTED = {".ci", ".gitignore", "Makefile", "docs", "README.md", "benchmarks", "data", "environment.yml", "figures",
            "notebooks", "params.yml", "pipeline", "pyproject.toml", "requirements.lock", "requirements-uv.lock", "tables", "tool.mk",
            "tests", "workspace"}


def test_no_unexpected_file_at_the_root():
    """Tracked files, and untracked ones no .gitignore rule expects (a cache a tool wrote, a stray export)."""
    try:
        tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=ROOT,
                                   capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    top = {line.split("/")[0] for line in (tracked + untracked).splitlines() if line}
    assert top <= EXPECTED, f"unexpected at the root: {sorted(top - EXPECTED)} (ignore it, move it, or list it here)"


def test_every_catalogued_attack_names_a_test_that_exists_and_the_docs_count_them():
    """Issue 11: tests/attacks.csv is the list of attacks; each names the test that shows it holds."""
    import ast
    import csv
    import re

    here = ROOT / "tests"
    rows = list(csv.DictReader((here / "attacks.csv").open(encoding="utf-8")))
    defined = {}
    for row in rows:
        file, _, test = row["test"].partition("::")
        name, _, param = test.partition("[")
        if file not in defined:
            tree = ast.parse((here / file).read_text(encoding="utf-8"))
            defined[file] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in defined[file], row
        assert not param or f'"{param.rstrip("]")}"' in (here / file).read_text(encoding="utf-8"), row
    attacks = [r for r in rows if r["class"] != "property"]
    page = (ROOT / "docs" / "design" / "robustness.md").read_text(encoding="utf-8")
    said = re.search(r"Tried: (\d+); held: (\d+)", page)
    assert said and int(said.group(1)) == int(said.group(2)) == len(attacks)
    assert f"the {len(attacks)} attacks that once broke a promise" in " ".join(page.split())


def test_nothing_in_the_notebooks_or_the_package_names_the_reference_study():
    words = ["e-mentoring", "Shrestha", "Fallahi", "Neely", "86.7", "87 records", "seven categories"]
    texts = {p: p.read_text(encoding="utf-8") for p in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("pipeline/**/*.py")]}
    found = [(p.name, w) for p, t in texts.items() for w in words if w in t]
    assert found == []
