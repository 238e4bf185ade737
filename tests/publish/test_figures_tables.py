import hashlib

import pandas as pd
import pytest

from pipeline import inputs as inputs_mod
from pipeline.publish import figures
from pipeline.publish import tables
from pipeline.screening import criteria
from pipeline.screening import log as screening_log

from conftest import DATA


@pytest.fixture(scope="module")
def ref():
    return inputs_mod.load_inputs(DATA)


def digest(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_figures_are_byte_identical_across_saves(ref, tmp_path):
    flow = screening_log.flow(ref.screening_log)
    a = figures.save_figure(figures.prisma_flow(flow), tmp_path / "a", "f")
    b = figures.save_figure(figures.prisma_flow(flow), tmp_path / "b", "f")
    assert digest(a) == digest(b)
    svg = a[0].read_text()
    assert "<dc:date>" not in svg


def test_no_text_overflows_its_box(ref):
    flow = screening_log.flow(ref.screening_log)
    reasons = criteria.reasons_by_stage(ref.screening_log, ref.exclusion_reasons)
    assert figures.overflowing_boxes(figures.prisma_flow(flow, reasons)) == []
    assert figures.overflowing_boxes(figures.paradigm_model(ref.codebook, "Mentoring planning and management")) == []


def test_long_labels_shrink_to_fit(ref):
    long_name = "A very long category name that goes on and on " * 4
    fig = figures.paradigm_model(ref.codebook, long_name)
    assert figures.overflowing_boxes(fig) == []


def test_tables_in_three_formats_escape_latex(tmp_path):
    df = pd.DataFrame({"name": ["R&D 50%", "منتورینگ"], "n": [1, 2]})
    paths = tables.write_table(df, tmp_path, "t", caption="Cap")
    csv, md, tex = (p.read_text(encoding="utf-8") for p in paths)
    assert csv == "name,n\nR&D 50%,1\nمنتورینگ,2\n"
    assert "منتورینگ" in md
    assert r"R\&D 50\%" in tex and r"\toprule" in tex and r"\caption{Cap}" in tex


def test_markdown_cells_stay_cells_and_html_stays_text(tmp_path):
    """Issue 11: '|', line breaks and raw HTML in data cannot add a column, a row or a script."""
    from pipeline.publish import tables

    df = pd.DataFrame({"quote": ["a | b", "line one\nline two", "<script>alert(1)</script>", "<img onerror=x>"],
                       "n": [1, 2, 3, 4]})
    tables.write_table(df, tmp_path, "t")
    md = (tmp_path / "t.md").read_text()
    lines = md.splitlines()
    assert len(lines) == 2 + len(df)
    assert all(line.count("|") - line.count("\\|") == 3 for line in lines)
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md and "line one<br>line two" in md


def test_markdown_links_in_data_are_not_live(tmp_path):
    """Issue 22: '[x](javascript:...)' in a quote is shown as text (rendered by mistune, nbconvert's renderer)."""
    import mistune

    df = pd.DataFrame({"quote": ["[click](javascript:alert(1))", "![img](http://x/y.png)", "a \\[b\\] c"]})
    tables.write_table(df, tmp_path, "t")
    html = mistune.create_markdown(plugins=["table"])((tmp_path / "t.md").read_text())
    assert "<a " not in html and "<img" not in html
    assert "[click](javascript:alert(1))" in html and "a \\[b\\] c" in html  # the text as it was


def test_csv_outputs_neutralize_formulas_but_not_numbers(tmp_path):
    """Issue 11 (OWASP CSV injection): a text cell a spreadsheet would run gets a leading apostrophe."""
    from pipeline.publish import tables

    df = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-cmd", "\tx", "plain", "-0.5"],
                       "value": [-1, 2, -0.25, 3, 4, 5, 6]})
    tables.write_table(df, tmp_path, "t", formats=("csv",))
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)", "'-cmd", "'\tx", "plain", "-0.5"]
    assert back["value"].tolist() == ["-1.0", "2.0", "-0.25", "3.0", "4.0", "5.0", "6.0"]


@pytest.mark.slow
def test_a_50_mb_cell_is_written_in_linear_memory(tmp_path):
    """Issue 11: the Markdown writer padded every row to the widest cell (6.7 GB for one 50 MB quote)."""
    import resource

    from pipeline.publish import tables

    big = "x" * (50 * 1024 * 1024)
    df = pd.DataFrame({"quote": [big] + ["short"] * 99, "n": range(100)})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tables.write_table(df, tmp_path, "t")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 1000
    md = (tmp_path / "t.md").read_text()
    assert md.count("\n") == 102 and len(md) < 51 * 1024 * 1024
