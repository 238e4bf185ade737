"""``init`` declares the stages and languages of a review; ``status`` says what to do next, counted;
an unfinished review's outputs say they are a draft (issue 22)."""

import csv
import shutil

import pytest

from conftest import DATA, cli
from pipeline import draft
from pipeline.inputs import load_inputs
from pipeline.publish import figures, tables
from pipeline.run import status


@pytest.fixture
def review(tmp_path):
    root = tmp_path / "review"
    assert cli("init", root, "--stages", "quality title, full_text", "--language", "fa").returncode == 0
    return root


def test_init_declares_the_stages_in_method_order_and_the_languages(review):
    header = (review / "data" / "raw" / "screening_log.csv").read_text().strip()
    assert header == "record_id,round,title,full_text,quality,reason,provenance"
    assert "\nlanguages: fa\n" in (review / "params.yml").read_text()
    assert "license: ''" in (review / "data" / "reference" / "article.yml").read_text()


@pytest.mark.parametrize("args, words", [(["--stages", "title screening"], "--stages"),
                                         (["--stages", "title title"], "each once"),
                                         (["--language", "xx"], "--language")])
def test_init_refuses_unknown_stages_and_languages(tmp_path, args, words):
    res = cli("init", tmp_path / "r", *args)
    assert res.returncode == 2 and words in res.stderr and not (tmp_path / "r").exists()


def test_status_of_an_empty_review_says_to_import_and_then_to_screen(review):
    out = cli("status", "--data", review / "data").stdout
    assert "0 records, stages title → full_text → quality; no record yet. Next: import" in out
    res = cli("import-records", DATA.parent / "tests" / "data" / "pubmed.nbib", "--data", review / "data")
    assert res.returncode == 0, res.stderr
    out = cli("status", "--data", review / "data").stdout
    assert "To do:\n  screen 2 records at title: " in out and "describe" not in out


def test_status_counts_each_task_and_lists_at_most_twenty_ids(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "raw" / "screening_log.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:  # every record that passed the title stage back to pending at abstract
        if r["title"] == "include":
            r.update(abstract="pending", full_text="", quality="", reason="")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (data / "raw" / "studies.csv").write_text((data / "raw" / "studies.csv").read_text().splitlines()[0] + "\n")
    for rel in ("coded/segments.csv", "coded/recoding.csv", "coded/sources.csv"):
        if (data / rel).exists():
            (data / rel).write_text((data / rel).read_text().splitlines()[0] + "\n")
    inp = load_inputs(data)
    lines = status.summary(inp)
    task = next(line for line in lines if "abstract:" in line).strip()
    n = int(task.split()[1])
    ids = task.split(": ", 1)[1].split("  (")[0]
    assert n == 38 and task.startswith("screen 38 records at abstract: ") and ids.endswith("and 18 more")
    assert len(ids.split(", ")) == 20
    assert status.unfinished(inp)[0] == ("pending", {"n": n})


def test_the_outputs_of_an_unfinished_review_are_marked_as_a_draft(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"stage": ["title"], "n": [3]})
    try:
        draft.set_reasons([("pending", {"n": 3}), ("no_authors", {})])
        tables.write_table(df, tmp_path, "t", caption="Flow")
        tables.write_table(df, tmp_path / "fa", "t", caption="جریان", lang="fa")
        fig = figures.plt.figure()
        figures.save_figure(fig, tmp_path, "f", formats=("png",))
        texts = [t.get_text() for t in fig.texts]
    finally:
        draft.set_reasons([])
    assert (tmp_path / "t.md").read_text().startswith("**DRAFT: 3 records await a screening decision; no author")
    assert "\\caption{DRAFT: 3 records await" in (tmp_path / "t.tex").read_text()
    assert (tmp_path / "t.csv").read_text() == "stage,n\ntitle,3\n"  # the data stay plain
    assert "DRAFT" in texts and any(t.startswith("DRAFT: 3 records") for t in texts)
    persian = (tmp_path / "fa" / "t.md").read_text()
    assert persian.startswith("**پیش‌نویس: ۳ رکورد") and '<div dir="rtl">' in persian


def test_persian_tables_write_numbers_in_text_in_persian_digits_but_keep_codes(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"period": ["2004 تا 2024"], "code": ["K01 and N1"], "n": [45]})
    tables.write_table(df, tmp_path, "t", lang="fa")
    assert (tmp_path / "t.csv").read_text().splitlines()[1] == "۲۰۰۴ تا ۲۰۲۴,K01 and N1,45"  # numbers stay numbers
    assert "۲۰۰۴ تا ۲۰۲۴" in (tmp_path / "t.md").read_text() and " ۴۵ |" in (tmp_path / "t.md").read_text()


def test_list_items_of_a_right_to_left_figure_start_right_to_left():
    codebook = load_inputs(DATA).codebook.assign(name_fa="")  # untranslated: English names in a Persian figure
    fig = figures.in_language("fa", figures.paradigm_model, codebook, "core")
    bullets = [line for t in fig.axes[0].texts for line in t.get_text().split("\n") if "•" in line]
    assert bullets and all(line.startswith("\u200f• ") for line in bullets)
