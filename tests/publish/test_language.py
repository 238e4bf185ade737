"""Issue 14: the article's figures and tables in Persian, right to left, as its authors publish them."""

import shutil
import subprocess

import pandas as pd
import pytest
from matplotlib.font_manager import get_font
from matplotlib.textpath import TextToPath

from conftest import DATA, ROOT, cli, tree_digest
from pipeline import inputs as inputs_mod
from pipeline import language
from pipeline.coding import paradigm
from pipeline.publish import figures
from pipeline.publish import translated
from pipeline.screening import criteria
from pipeline.screening import log as screening_log


@pytest.fixture(scope="module")
def ref():
    return inputs_mod.load_inputs(DATA)


@pytest.fixture(scope="module")
def persian(ref, tmp_path_factory):
    out = tmp_path_factory.mktemp("fa")
    translated.write(ref, "fa", out / "figures", out / "tables")
    return out


def glyph_names(text, font_file):
    font = get_font(str(font_file))
    glyphs, _, _ = TextToPath().get_glyphs_with_font(font, text)
    ordered = sorted(glyphs, key=lambda g: g[1])  # left to right on the page
    return [font.get_glyph_name(int(g[0].rsplit("-", 1)[1], 16)) for g in ordered]


def test_persian_letters_are_joined_and_laid_out_right_to_left():
    regular = language.FONTS / "Vazirmatn-Regular.ttf"
    # سلام: read from the right, seen (initial form) joins lam, lam-alef ligate (final form), meem stands
    # alone after alef; on the page, from the left: meem, lam-alef, seen.
    assert glyph_names("سلام", regular) == ["uni0645", "uniFEFC", "uniFEB3"]
    # مدیریت: every letter in its joined form (isolated forms would be uni0645, uni062F, ...)
    names = glyph_names("مدیریت", regular)
    assert names[0] == "uniFE96" and names[-1] == "uniFEE3" and "uni0645" not in names
    # a Latin word inside Persian keeps its own direction
    mixed = glyph_names("سامانه LMS", regular)
    assert mixed[:3] == ["L", "M", "S"]


def test_every_fixed_text_has_a_translation_in_every_language():
    assert language.available()[0] == "en" and "fa" in language.available()
    for lang in language.available():
        assert language.missing_labels(lang) == [], lang
    assert language.tr("prisma.screened", "fa", n=87) == "رکوردهای غربالگری‌شده\n(۸۷)"
    assert language.is_rtl("fa") and not language.is_rtl("en")


def test_persian_figures_are_mirrored_fit_their_boxes_and_use_persian_digits(ref):
    flow = screening_log.flow(ref.screening_log)
    reasons = criteria.reasons_by_stage(ref.screening_log, language.localized(ref.exclusion_reasons, ["label"], "fa"))
    en = figures.prisma_flow(flow, reasons)
    fa = figures.in_language("fa", figures.prisma_flow, flow, reasons)
    assert figures.overflowing_boxes(fa) == []
    xs_en = [p.get_x() for p in en.axes[0].patches if hasattr(p, "get_width")]
    xs_fa = [p.get_x() for p in fa.axes[0].patches if hasattr(p, "get_width")]
    assert xs_fa == pytest.approx([1 - x - w for x, w in zip(xs_en, [p.get_width() for p in en.axes[0].patches
                                                                    if hasattr(p, "get_width")])])
    main, side = xs_fa[1], xs_fa[2]
    assert main > side  # the stage boxes stand on the right, their exclusions to the left
    texts = " ".join(t.get_text() for t in fa.axes[0].texts)
    assert "۸۷" in texts and "87" not in texts and "عنوان" in texts
    assert "DejaVu" not in " ".join(fa.axes[0].texts[0].get_fontfamily()[:1])


@pytest.mark.slow
def test_persian_set_is_written_beside_the_english_one_and_is_deterministic(ref, persian, tmp_path):
    names = sorted(p.relative_to(persian).as_posix() for p in persian.rglob("*") if p.is_file())
    assert names == sorted([f"figures/fa/{s}.{f}" for s in translated.FIGURES for f in ("pdf", "png", "svg")]
                           + [f"tables/fa/{s}.{f}" for s in translated.TABLES for f in ("csv", "md", "tex")])
    translated.write(ref, "fa", tmp_path / "figures", tmp_path / "tables")
    assert tree_digest(tmp_path) == tree_digest(persian)
    committed = {k: v for k, v in tree_digest(ROOT / "figures").items() if k.startswith("fa/")}
    committed = {f"figures/{k}": v for k, v in committed.items()} | {
        f"tables/{k}": v for k, v in tree_digest(ROOT / "tables").items() if k.startswith("fa/")}
    assert tree_digest(tmp_path) == committed  # as committed
    pdf = (persian / "figures" / "fa" / "prisma2020.pdf").read_bytes()
    assert b"FontFile2" in pdf and b"Vazirmatn-Regular" in pdf  # the font is embedded


def test_persian_tables_take_the_articles_wording_and_fall_back_to_english(ref, persian):
    t3 = pd.read_csv(persian / "tables" / "fa" / "table3_categories.csv")
    assert list(t3.columns) == ["ابعاد", "مؤلفه‌ها", "مفاهیم مرتبط", "نقش در مدل پارادایمی"]
    assert t3.iloc[0].tolist()[:2] == ["زیرساخت و پشتیبانی فنی", "بستر پایدار، فناوری دیجیتال، پشتیبانی فنی"]
    assert t3.iloc[1, 3] == "عامل علّی"
    t1 = (persian / "tables" / "fa" / "table1_criteria.md").read_text()
    assert "معیار پذیرش مقالات" in t1 and "غیر از کیفی و آمیخته" in t1
    cb = ref.codebook.copy()
    cb.loc[cb["node_id"] == "C1", "name_fa"] = ""
    t3 = paradigm.table3(cb, "fa")
    assert t3.iloc[0, 0] == "Technical infrastructure and support"
    assert "C1" in language.missing_names(cb, "fa") and len(language.missing_names(ref.codebook, "fa")) == 60


def test_status_lists_what_is_still_in_english():
    res = cli("status")
    assert res.returncode == 0 and "fa: shown in English" in res.stdout and "60 codebook name(s)" in res.stdout


def test_languages_parameter_is_checked_before_any_notebook(tmp_path):
    res = cli("run", "--out", tmp_path, "-p", "languages", "fa xx")
    assert res.returncode == 2 and "-p languages" in res.stderr and "xx" in res.stderr


XEPERSIAN = r"""\documentclass{article}
\usepackage{booktabs}
\usepackage{xepersian}
\settextfont[Path=%s/,Extension=.ttf,UprightFont=*-Regular,BoldFont=*-Bold]{Vazirmatn}
\begin{document}
\input{table1_criteria.tex}
\input{table2_reliability.tex}
\input{table3_categories.tex}
\end{document}
"""


@pytest.mark.slow
def test_persian_latex_compiles_with_xepersian(persian, tmp_path):
    xelatex = shutil.which("xelatex")
    if not xelatex:
        pytest.skip("xelatex is not installed here (Debian: texlive-xetex texlive-lang-arabic); the LaTeX is "
                    "checked for its content by the other tests")
    for f in (persian / "tables" / "fa").glob("*.tex"):
        shutil.copy(f, tmp_path)
    (tmp_path / "main.tex").write_text(XEPERSIAN % language.FONTS, encoding="utf-8")
    res = subprocess.run([xelatex, "-interaction=nonstopmode", "-halt-on-error", "main.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:]
