import hashlib

import pandas as pd
import pytest

from pipeline import figures, screening, tables, validate

from conftest import DATA


@pytest.fixture(scope="module")
def ref():
    return validate.load_inputs(DATA)


def digest(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_figures_are_byte_identical_across_saves(ref, tmp_path):
    flow = screening.flow(ref.screening_log)
    a = figures.save_figure(figures.prisma_flow(flow), tmp_path / "a", "f")
    b = figures.save_figure(figures.prisma_flow(flow), tmp_path / "b", "f")
    assert digest(a) == digest(b)
    svg = a[0].read_text()
    assert "<dc:date>" not in svg


def test_no_text_overflows_its_box(ref):
    flow = screening.flow(ref.screening_log)
    reasons = screening.reasons_by_stage(ref.screening_log, ref.exclusion_reasons)
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
