"""Only what the project needs is at the repository's root: tools and benchmarks keep their caches elsewhere."""

import subprocess

import pytest

from conftest import ROOT

EXPECTED = {".ci", ".gitignore", "FORMATS.md", "Makefile", "README.md", "benchmarks", "data", "environment.yml", "figures",
            "notebooks", "params.yml", "pipeline", "pyproject.toml", "requirements.lock", "requirements-uv.lock", "tables", "tool.mk",
            "tests"}


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
