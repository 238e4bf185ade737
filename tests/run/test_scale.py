"""Issue 12: synthetic reviews for the scale benchmark are valid, and large reviews draw readable figures."""

import sys

import pytest

from conftest import ROOT
from pipeline import inputs as inputs_mod
from pipeline.coding import paradigm
from pipeline.publish import figures

pytestmark = pytest.mark.slow  # synthetic reviews of thousands of studies

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402


def test_a_synthetic_review_is_valid_and_has_the_promised_shape(tmp_path):
    data = synthetic.generate(tmp_path / "data", studies=60, codes=600, seed=1)
    inp = inputs_mod.load_inputs(data)  # every schema and the screening log's rules
    assert len(inp.studies) == 60 and len(inp.screening_log) == 600
    assert (inp.codebook["level"] == "code").sum() == 600
    assert 8 <= len(inp.segments) / 60 <= 12  # about ten segments per study
    assert inp.segments["code_id"].nunique() == min(600, len(inp.segments))
    again = synthetic.generate(tmp_path / "again", studies=60, codes=600, seed=1)
    assert all((data / p).read_bytes() == (again / p).read_bytes()
               for p in ("raw/screening_log.csv", "coded/segments.csv", "coded/recoding.csv"))


def test_the_heatmap_of_a_large_review_is_one_page_without_per_cell_numbers(tmp_path):
    data = synthetic.generate(tmp_path / "data", studies=figures.READABLE_ROWS + 60, codes=60)
    inp = inputs_mod.load_inputs(data)
    matrix = paradigm.study_category_matrix(inp.segments, inp.codebook, inp.studies)
    fig = figures.evidence_heatmap(matrix, inp.codebook)
    assert tuple(fig.get_size_inches()) == (8.5, 11.0)
    ax = fig.axes[0]
    assert len(ax.texts) == 0 and ax.images[0].get_interpolation() == "none"
    assert len(ax.get_yticklabels()) == len(matrix)  # 100 studies: labels still fit
    rows = ax.images[0].get_array()
    leading = rows.argmax(axis=1)
    assert (leading[:-1] <= leading[1:]).all()  # grouped by leading category


def test_the_large_heatmap_embeds_its_matrix_not_a_page_sized_raster(tmp_path):
    """Vector formats carry the matrix at one pixel per cell (no resampling to the page's resolution)."""
    import base64
    import re
    import struct

    data = synthetic.generate(tmp_path / "data", studies=figures.READABLE_ROWS + 60, codes=60)
    inp = inputs_mod.load_inputs(data)
    matrix = paradigm.study_category_matrix(inp.segments, inp.codebook, inp.studies)
    figures.save_figure(figures.evidence_heatmap(matrix, inp.codebook), tmp_path, "heatmap")
    svg = (tmp_path / "heatmap.svg").read_text(encoding="utf-8")
    images = re.findall(r'data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)"', svg)
    sizes = []
    for image in images:
        png = base64.b64decode("".join(image.split()))
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        sizes.append((height, width))
    assert sizes == [matrix.shape]  # the matrix, one pixel per cell; the colour bar is drawn, not a raster
