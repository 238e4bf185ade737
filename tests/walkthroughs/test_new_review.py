"""A review started from nothing: `init`, then the whole workflow through the command line, on a
review of another shape than the reference study (stages title → abstract → retrieval → full text
and no quality stage, nine categories, two coders, no published article to reproduce)."""

import csv
import json
import os
import sys

import pandas as pd
import pytest

from conftest import ROOT, run_cli, tree_digest
from pipeline.run import project

pytestmark = pytest.mark.slow  # a whole review from `init`, through make and the supplement

TITLE = "Peer support in online doctoral education: a qualitative evidence synthesis"
TOPICS = ["peer mentoring", "writing groups", "online community", "supervisor feedback", "isolation",
          "identity", "time management", "funding", "family", "technology", "belonging", "wellbeing"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def ris(n=22, duplicates=(3, 7)):
    """``n`` journal articles as a database exports them, plus re-exports of two of them (a DOI kept,
    the title's case and the author's initials changed) that deduplication must catch."""
    out = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        out.append(f"TY  - JOUR\nTI  - {topic.capitalize()} among online doctoral students: study {i + 1}\n"
                   f"AU  - Author{chr(65 + i % 26)}, Given\nAU  - Second, Person\nPY  - {2010 + i % 14}\n"
                   f"JO  - Journal of Online Learning\nVL  - {i + 1}\nSP  - {10 * i + 1}\nEP  - {10 * i + 9}\n"
                   f"DO  - 10.1000/jol.{i + 1:04d}\nLA  - English\nAB  - A qualitative study of {topic}.\nER  - \n")
    for i in duplicates:
        topic = TOPICS[i % len(TOPICS)]
        out.append(f"TY  - JOUR\nTI  - {topic.upper()} AMONG ONLINE DOCTORAL STUDENTS: STUDY {i + 1}\n"
                   f"AU  - Author{chr(65 + i % 26)}, G.\nPY  - {2010 + i % 14}\nJO  - J Online Learn\n"
                   f"DO  - https://doi.org/10.1000/JOL.{i + 1:04d}\nER  - \n")
    return "\n".join(out)


CATEGORIES = {  # nine categories (the reference has seven), each with two subcategories of two codes
    f"Category {c}": {f"Sub {c}.{s}": [f"code {c}.{s}.{k}" for k in (1, 2)] for s in (1, 2)} for c in range(1, 10)}


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    """init → hand-edited search description → import-records (RIS) → screen (a spreadsheet and the
    command line) → import-coded (a spreadsheet from two coders) → run → supplement → verify."""
    base = tmp_path_factory.mktemp("walkthrough")
    root = base / "peer-support"
    steps = {"init": run_cli("init", root, "--title", TITLE, "--stages", "title abstract retrieval full_text")}
    assert steps["init"].returncode == 0, steps["init"].stderr
    raw = root / "data" / "raw"
    # What the researcher types in by hand: the search, the criteria, the reasons.
    write_csv(raw / "search_strategy.csv", [["facet", "value", "scope", "provenance"],
                                            ["database", "ERIC", "international", "reported"],
                                            ["keyword", "peer support", "all", "reported"],
                                            ["period_start", "2010", "all", "reported"],
                                            ["period_end", "2024", "all", "reported"]])
    write_csv(raw / "criteria.csv", [["criterion_id", "criterion", "include", "exclude", "provenance"],
                                     ["topic", "Topic", "doctoral peer support", "other topics", "reported"],
                                     ["design", "Design", "qualitative", "quantitative only", "reported"]])
    write_csv(raw / "exclusion_reasons.csv", [["reason_id", "label", "criterion_id", "stages", "provenance"],
                                              ["off_topic", "Not about doctoral peer support", "topic",
                                               "title;abstract;full_text", "reported"],
                                              ["not_found", "Full text not found", "", "retrieval", "reported"],
                                              ["not_qualitative", "No qualitative data", "design",
                                               "abstract;full_text", "reported"]])
    (base / "eric.ris").write_text(ris(), encoding="utf-8")
    steps["import"] = run_cli("import-records", base / "eric.ris", "--source", "ERIC", cwd=root)
    ids = pd.read_csv(raw / "screening_log.csv", dtype=str)["record_id"].tolist()
    # Reviewers' spreadsheet: 22 records; title 14 in / 8 out; abstract 11 in / 2 out / 1 left open;
    # retrieval 10 in / 1 not found; full text 8 in / 2 out.
    rows = [["record_id", "stage", "decision", "reason"]]
    rows += [[r, "title", "include", ""] for r in ids[:14]] + [[r, "title", "exclude", "off_topic"] for r in ids[14:]]
    rows += [[r, "abstract", "include", ""] for r in ids[:11]] + [[r, "abstract", "exclude", "not_qualitative"]
                                                                  for r in ids[11:13]]
    rows += [[r, "retrieval", "include", ""] for r in ids[:10]] + [[ids[10], "retrieval", "exclude", "not_found"]]
    rows += [[r, "full_text", "include", ""] for r in ids[:8]] + [[r, "full_text", "exclude", "off_topic"]
                                                                  for r in ids[8:10]]
    write_csv(base / "decisions.csv", rows)
    steps["screen"] = run_cli("screen", base / "decisions.csv", cwd=root)
    steps["status"] = run_cli("status", cwd=root)
    steps["screen_cli"] = run_cli("screen", "--stage", "abstract", "--exclude", ids[13], "--reason", "off_topic",
                                  cwd=root)
    studies = pd.read_csv(raw / "studies.csv", dtype=str)["study_id"].tolist()
    # Two coders code every study; coder B disagrees on every fifth segment.
    seg = []
    codes = [(c, s, k) for c, subs in CATEGORIES.items() for s, ks in subs.items() for k in ks]
    for i, study in enumerate(studies):
        for j in range(6):
            cat, sub, code = codes[(i * 5 + j * 7) % len(codes)]
            quote = f"participants in {study} described {code}"
            seg.append({"Study": study, "Code": code, "Category": cat, "Subcategory": sub, "Quote": quote,
                        "Location": f"p. {j + 3}", "Coder": "A"})
            other = codes[(i * 5 + j * 7 + 1) % len(codes)] if (i + j) % 5 == 0 else (cat, sub, code)
            seg.append({"Study": study, "Code": other[2], "Category": other[0], "Subcategory": other[1],
                        "Quote": quote, "Location": f"p. {j + 3}", "Coder": "B"})
    pd.DataFrame(seg).to_excel(base / "coding.xlsx", index=False)
    steps["code"] = run_cli("import-coded", base / "coding.xlsx", cwd=root)
    # The researcher gives seven of the nine categories their paradigm role.
    cb = pd.read_csv(root / "data" / "coded" / "codebook.csv", dtype=str, keep_default_na=False)
    roles = ["causal_condition", "contextual_condition", "intervening_condition", "strategy", "strategy",
             "consequence", "consequence"]
    cats = cb.index[cb["level"] == "category"]
    cb.loc[cats[:7], "role"] = roles
    cb.to_csv(root / "data" / "coded" / "codebook.csv", index=False, lineterminator="\n")
    # The citation: without authors and a licence the review is a draft, and the supplement refuses it.
    (root / "data" / "reference" / "article.yml").write_text(
        f"title: '{TITLE}'\nauthors:\n  - {{family: Okafor, given: Ada}}\nyear: 2026\nkeywords: []\n"
        f"license: CC-BY-4.0\n", encoding="utf-8")
    data_before = tree_digest(root / "data")
    steps["run"] = run_cli("run", cwd=root)
    steps["rerun"] = run_cli("run", cwd=root)
    steps["supplement"] = run_cli("supplement", cwd=root)
    steps["verify"] = run_cli("verify", root / "supplement.zip", cwd=root)
    return {"root": root, "steps": steps, "ids": ids, "studies": studies, "data_before": data_before}


def test_every_step_of_the_walkthrough_succeeds(review):
    for name, step in review["steps"].items():
        assert step.returncode == 0, f"{name}: {step.stdout}\n{step.stderr}"
        assert "Traceback" not in step.stderr
    s = review["steps"]
    assert "2 duplicates" in s["import"].stdout or "duplicates: 2" in s["import"].stdout or " 2 " in s["import"].stdout
    assert "8 included studies added" in s["screen"].stdout
    assert "screen 1 record at abstract: " in s["status"].stdout  # the record left open at the abstract stage
    assert s["rerun"].stdout.count("skipped (unchanged)") == len(project.discover(project.NOTEBOOK_DIR))
    assert "all" in s["verify"].stdout and "match" in s["verify"].stdout


def test_import_and_screening_give_the_flow_of_this_review(review):
    root = review["root"]
    assert len(review["ids"]) == 22  # 24 exported, the two re-exports found as duplicates
    flow = pd.read_csv(root / "tables" / "screening_flow.csv")
    assert flow.values.tolist() == [["title", 22, 8, 14], ["abstract", 14, 3, 11], ["retrieval", 11, 1, 10],
                                    ["full_text", 10, 2, 8]]
    prisma = pd.read_csv(root / "tables" / "prisma2020_counts.csv", dtype=str, keep_default_na=False)
    assert len(prisma)
    assert len(review["studies"]) == 8
    studies = pd.read_csv(root / "data" / "raw" / "studies.csv", dtype=str)
    assert studies["first_author"].str.startswith("Author").all() and (studies["language"] == "en").all()
    assert (root / "figures" / "prisma2020.svg").exists() and (root / "figures" / "prisma_flow.svg").exists()


def test_coding_of_two_coders_gives_nine_categories_and_their_agreement(review):
    root = review["root"]
    table3 = pd.read_csv(root / "tables" / "table3_categories.csv")
    assert len(table3) == 9
    agreement = pd.read_csv(root / "tables" / "intercoder_agreement.csv")
    assert len(agreement) > 0
    core = pd.read_csv(root / "tables" / "core_category.csv")
    assert core["is_core"].sum() == 1
    assert (root / "tables" / "codebook.qdc").exists()


def test_a_review_without_an_article_skips_the_reproduction_check_and_says_so(review):
    root = review["root"]
    assert not (root / "tables" / "reproduction_check.csv").exists()
    nb = (root / "reports" / "05_reproduction_check.ipynb").read_text(encoding="utf-8")
    assert "the reproduction check is skipped" in nb


def test_the_run_reads_the_reviews_own_tool_and_leaves_its_data_alone(review):
    root = review["root"]
    assert tree_digest(root / "data") == review["data_before"]
    for name in ("01_screening", "03_category_aggregation"):
        assert str(ROOT) not in (root / "reports" / f"{name}.ipynb").read_text(encoding="utf-8")
    manifest = (root / "supplement" / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert "figures/paradigm_model.svg" in manifest and "data/raw/studies.csv" in manifest
    import yaml

    cff = yaml.safe_load((root / "supplement" / "CITATION.cff").read_text(encoding="utf-8"))
    assert TITLE in cff["title"]


@pytest.fixture(scope="module")
def empty_review(tmp_path_factory):
    """`init`, then `make` in it (with the test's interpreter standing in for the one make would set up)."""
    root = tmp_path_factory.mktemp("empty") / "new-review"
    init = run_cli("init", root)
    venv = root.parent / "venv"  # a stand-in .venv: make sees it set up and never builds or removes one
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    stamp = venv.parent / f"venv-ready-{sys.version_info[0]}.{sys.version_info[1]}"
    stamp.touch()
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    make = subprocess.run(["make", f"PYTHON={sys.executable}", f"VENV={venv}", "-o", str(stamp)], cwd=root,
                          capture_output=True, text=True, timeout=900, env=env)
    return {"root": root, "init": init, "make": make}


def test_init_writes_a_review_with_the_tool_the_data_headers_and_its_own_files(empty_review):
    root, init = empty_review["root"], empty_review["init"]
    assert init.returncode == 0, init.stderr
    for rel in ("Makefile", "tool.mk", "README.md", ".gitignore", "params.yml", "docs/reference/formats.md", "data/README.md",
                "pyproject.toml", "requirements.lock", "pipeline/cli.py", "notebooks/01_screening.ipynb",
                "data/raw/screening_log.csv", "data/coded/codebook.csv", "data/reference/article.yml"):
        assert (root / rel).is_file(), rel
    assert (root / "data/raw/screening_log.csv").read_text() == \
        "record_id,round,title,abstract,full_text,reason,provenance\n"  # the stages a new review declares
    assert "quality_min_yes: 7" in (root / "params.yml").read_text()
    assert "import-records" in (root / "README.md").read_text() and "supplement" in (root / "README.md").read_text()
    assert not (root / "data" / "reference" / "article_claims.csv").exists()
    for rel in ("pipeline/cli.py", "notebooks/03_category_aggregation.ipynb", "tool.mk"):
        assert (root / rel).read_bytes() == (ROOT / rel).read_bytes()


def test_make_in_an_empty_review_runs_every_notebook_and_draws_an_empty_prisma_diagram(empty_review):
    root, make = empty_review["root"], empty_review["make"]
    assert make.returncode == 0, make.stdout + make.stderr
    assert f"done: {len(project.discover(project.NOTEBOOK_DIR))} notebooks run" in make.stdout
    assert (root / "figures" / "prisma2020.svg").exists() and (root / "figures" / "prisma_flow.png").exists()
    flow = pd.read_csv(root / "tables" / "prisma2020_counts.csv", dtype=str, keep_default_na=False)
    assert len(flow)
    said = {name: (root / "reports" / f"{name}.ipynb").read_text(encoding="utf-8") for name in
            ("01_screening", "02_code_extraction", "04_reliability", "05_reproduction_check")}
    assert "holds no record yet" in said["01_screening"]
    assert "has no code yet" in said["02_code_extraction"]
    assert "has no re-coding yet" in said["04_reliability"]
    assert "the reproduction check is skipped" in said["05_reproduction_check"]
    assert not (root / "tables" / "codebook.qdc").exists()


def test_run_json_of_the_walkthrough_records_the_reviews_own_data(review):
    record = json.loads((review["root"] / "reports" / "run.json").read_text(encoding="utf-8"))
    assert record["data_dir"] == str((review["root"] / "data").resolve())
