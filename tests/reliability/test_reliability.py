"""Reliability coefficients against published worked examples and independent implementations.

Worked examples (values to the published precision):
- Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
  Communication, Departmental Papers 43. Sec. A: binary data, two observers, alpha = 0.095.
  Sec. C: nominal data, four observers, missing values: nominal 0.743; the same data give
  ordinal 0.815, interval 0.849, ratio 0.797 (Krippendorff's reported values for that example).
- Cohen, J. (1960). A coefficient of agreement for nominal scales. Educ. Psychol. Meas. 20:37-46,
  Table 1: p_o = .70, p_c = .41, kappa = .49.
- Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychol. Bull.
  76:378-382: 30 patients, 6 psychiatrists, 5 diagnoses, kappa = .430 (the data as distributed
  with R's irr package as `diagnoses`).
- The widely reproduced 10 subjects x 14 raters example of Fleiss' kappa (Wikipedia,
  "Fleiss' kappa"), kappa = 0.210.
- Holsti's CR = 2M / (N1 + N2) and the reference study's Table 2: 45 codes, 39 agreements -> 86.7%.
"""

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from pipeline.reliability import bootstrap
from pipeline.reliability import coefficients
from pipeline.reliability import matrix
from pipeline.reliability import retest

from conftest import cli, examples

NAN = np.nan
KRIPP_C = pd.DataFrame(np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]).T, columns=["A", "B", "C", "D"])

FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5]])

WIKI_FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
               [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def from_table(table):
    """Unit-level pairs that reproduce a two-coder contingency table."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [i] * n
            b += [j] * n
    return pd.DataFrame({"first": a, "second": b})


def test_krippendorff_2011_binary_example():
    m = pd.DataFrame({"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]})
    assert round(coefficients.krippendorff_alpha(m), 3) == 0.095


@pytest.mark.parametrize("level,published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                             ("ratio", 0.797)])
def test_krippendorff_2011_four_observers_missing_data(level, published):
    assert round(coefficients.krippendorff_alpha(KRIPP_C, level), 3) == published


def test_cohen_1960_table_1():
    m = from_table([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    assert round(coefficients.percent_agreement(m), 2) == 0.70
    assert round(coefficients.cohen_kappa(m), 2) == 0.49


def test_fleiss_1971_diagnoses():
    assert round(coefficients.fleiss_kappa(pd.DataFrame(FLEISS_1971)), 3) == 0.430


def test_fleiss_ten_subjects_fourteen_raters():
    assert round(coefficients.fleiss_kappa_counts(WIKI_FLEISS), 3) == 0.210


def test_reference_study_table_2_and_the_formula():
    table = retest.formula_comparison(45, 39)
    assert table["value_percent"].tolist() == [86.7, 86.7, 173.3]
    assert table["possible"].tolist() == [True, True, False]
    m = pd.DataFrame({"o1": ["a"] * 45, "o2": ["a"] * 39 + ["b"] * 6})
    assert round(100 * coefficients.holsti(m), 1) == 86.7


def test_holsti_counts_each_coders_own_decisions():
    m = pd.DataFrame({"A": ["x", "y", "z", NAN], "B": ["x", "y", NAN, NAN]})
    assert coefficients.holsti(m) == pytest.approx(2 * 2 / (3 + 2))


def test_scott_pi_alpha_identity_for_two_coders():
    # For two coders and no missing data, alpha = 1 - (1 - pi) * (2n - 1) / (2n)  (Krippendorff 2004).
    m = from_table([[20, 5, 1], [4, 15, 2], [1, 3, 9]])
    n = len(m)
    assert coefficients.krippendorff_alpha(m) == pytest.approx(1 - (1 - coefficients.scott_pi(m)) * (2 * n - 1) / (2 * n))


def test_gwet_ac1_two_raters_textbook_formula():
    m = from_table([[30, 5], [10, 55]])
    p = m.apply(pd.Series.value_counts).fillna(0).to_numpy() / len(m)
    pi = p.mean(axis=1)
    pe = 2 * pi[0] * (1 - pi[0])
    pa = (m["first"] == m["second"]).mean()
    assert coefficients.gwet_ac1(m) == pytest.approx((pa - pe) / (1 - pe))


def test_disagreements_and_confusion_matrix():
    m = pd.DataFrame({"A": ["x", "y", "x"], "B": ["x", "x", "x"]}, index=pd.Index(["u1", "u2", "u3"], name="unit"))
    assert coefficients.disagreements(m)["unit"].tolist() == ["u2"]
    assert coefficients.confusion_matrix(m).to_numpy().tolist() == [[2, 0], [1, 0]]
    per = coefficients.per_category_agreement(m).set_index("value")
    assert per.loc["x", "specific_agreement"] == pytest.approx(2 * 2 / (2 * 2 + 1))


ratings = st.lists(st.integers(0, 3), min_size=4, max_size=40)


@settings(max_examples=examples(60), deadline=None)
@given(st.data())
def test_cohen_kappa_matches_scikit_learn(data):
    a = data.draw(ratings)
    b = data.draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a)))
    m = pd.DataFrame({"a": a, "b": b})
    for weights in (None, "linear", "quadratic"):
        expected = cohen_kappa_score(a, b, weights=weights, labels=sorted(set(a) | set(b)))
        got = coefficients.cohen_kappa(m, weights)
        if np.isnan(expected):
            continue
        assert got == pytest.approx(expected, abs=1e-9)


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(2, 5), st.integers(3, 30), st.integers(0, 10_000))
def test_fleiss_kappa_matches_statsmodels(raters, units, seed):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.integers(0, 3, size=(units, raters)))
    codes, dom = matrix.encode(data)
    table = matrix.value_counts(codes, len(dom))
    expected = sm_fleiss(table, method="fleiss")
    if np.isnan(expected):
        return
    assert coefficients.fleiss_kappa(data) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(2, 4), st.integers(4, 30), st.integers(0, 10_000), st.sampled_from(matrix.LEVELS))
def test_alpha_matches_krippendorff_package_with_missing_data(coders, units, seed, level):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(units, coders)).astype(float)
    values[rng.random(values.shape) < 0.2] = np.nan
    m = pd.DataFrame(values)
    if matrix.pairable(m).empty or len(pd.unique(m.stack())) < 2:
        return
    expected = krippendorff.alpha(reliability_data=values.T, level_of_measurement=level)
    # Both undefined (nan) when the pairable values are all one value: no expected disagreement.
    assert coefficients.krippendorff_alpha(m, level) == pytest.approx(expected, abs=1e-9, nan_ok=True)


def test_nominal_strings_are_accepted():
    m = pd.DataFrame({"A": ["کد", "b", "c"], "B": ["کد", "b", "b"]})
    assert coefficients.krippendorff_alpha(m) == pytest.approx(
        krippendorff.alpha(reliability_data=[[0, 1, 2], [0, 1, 1]], level_of_measurement="nominal"))


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    one = bootstrap.bootstrap_alpha(KRIPP_C, "interval", n_boot=2000, seed=7)
    two = bootstrap.bootstrap_alpha(KRIPP_C, "interval", n_boot=2000, seed=7)
    assert one["ci95"] == two["ci95"]
    assert one["ci95"][0] < one["alpha"] < one["ci95"][1]
    assert 0 <= one["q_below_minimum"] <= 1
    k = bootstrap.bootstrap_kappa(from_table([[30, 5], [10, 55]]), n_boot=1000, seed=1)
    assert k["ci95"][0] < k["kappa"] < k["ci95"][1]


def test_bootstrap_alpha_mean_is_close_to_alpha_on_large_data():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 2000)
    data = np.stack([np.where(rng.random(2000) < 0.8, truth, rng.integers(0, 4, 2000)) for _ in range(3)], axis=1)
    res = bootstrap.bootstrap_alpha(pd.DataFrame(data), n_boot=1000, seed=0)
    assert abs(np.mean(res["samples"]) - res["alpha"]) < 0.01


def test_units_with_one_value_do_not_count():
    m = pd.DataFrame({"A": ["x", "y", "z"], "B": ["x", "y", NAN]})
    assert coefficients.percent_agreement(m) == 1.0


# ---- the command -------------------------------------------------------------------------


def test_command_wide_json(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("segment,coder1,coder2\ns1,a,a\ns2,a,b\ns3,b,b\ns4,c,c\ns5,,c\n", encoding="utf-8")
    res = cli("reliability", f, "--json", "--bootstrap", "200", "--seed", "3")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    for key in ("n_units", "n_coders", "level", "percent_agreement", "krippendorff_alpha", "cohen_kappa",
                "fleiss_kappa", "scott_pi", "gwet_ac1", "alpha_ci95"):
        assert key in out
    assert out["n_units"] == 5 and out["n_coders"] == 2 and out["level"] == "nominal"
    assert out["percent_agreement"] == pytest.approx(0.75)
    assert out["fleiss_kappa"] is None  # s5 is missing a value
    assert out["unit_of_analysis"] == "segment"


def test_command_long_format_and_text_report(tmp_path):
    f = tmp_path / "long.csv"
    rows = ["unit,coder,value"] + [f"u{i},{c},{v}" for i, (c1, c2) in enumerate([(1, 1), (2, 2), (3, 2), (4, 4)])
                                   for c, v in (("A", c1), ("B", c2))]
    f.write_text("\n".join(rows) + "\n")
    res = cli("reliability", f, "--format", "long", "--level", "interval")
    assert res.returncode == 0, res.stderr
    assert "Krippendorff's alpha" in res.stdout and "Unit of analysis" in res.stdout
    assert "Interpretation" in res.stdout


@pytest.mark.parametrize("content,args,words", [
    ("unit,coder1\nu1,a\nu2,b\n", [], ["at least two coder"]),
    ("", [], ["empty"]),
    ("unit,c1,c2\nu1,a,\nu2,,b\n", [], ["two values"]),
    ("unit,c1,c2\nu1,1,2\nu2,x,2\n", ["--level", "interval"], ["row 3", "'c1'", "number"]),
    ("unit,coder,value\nu1,A,1\nu1,A,2\nu1,B,1\n", ["--format", "long"], ["row 3", "one value per unit"]),
    ("unit,c1,c2\nu1,1,2\nu2,1,2\n", ["--level", "nominl"], ["nominl", "unknown"]),
])
def test_command_bad_input(tmp_path, content, args, words):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    res = cli("reliability", f, *args)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)


def test_command_reads_xlsx(tmp_path):
    f = tmp_path / "wide.xlsx"
    pd.DataFrame({"record": ["r1", "r2", "r3"], "reviewer1": ["include", "exclude", "include"],
                  "reviewer2": ["include", "exclude", "exclude"]}).to_excel(f, index=False)
    res = cli("reliability", f, "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["unit_of_analysis"] == "record" and out["percent_agreement"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309"])
def test_interval_values_that_cannot_be_compared_are_refused(tmp_path, value):
    """Issue 11: nan, inf and overflowing numbers made alpha NaN without a word."""
    f = tmp_path / "iv.csv"
    f.write_text(f"unit,a,b\n1,1,2\n2,3,{value}\n3,2,2\n")
    res = cli("reliability", f, "--level", "interval")
    assert res.returncode == 2 and "row 3" in res.stderr and "'b'" in res.stderr and "finite number" in res.stderr


def test_minimum_nan_is_refused_and_json_never_prints_a_bare_nan(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("unit,a,b\n1,x,x\n2,y,y\n3,x,y\n")
    res = cli("reliability", f, "--minimum", "nan")
    assert res.returncode == 2 and "--minimum" in res.stderr
    res = cli("reliability", f, "--json")
    assert res.returncode == 0
    json.loads(res.stdout)  # strict JSON: NaN is not allowed by the standard
    assert "NaN" not in res.stdout


def test_xlsx_formula_without_a_saved_value_is_refused_not_read_as_missing(tmp_path):
    """Issue 11: percent agreement became 0.0 instead of 0.5 when formula cells read as empty."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (["unit", "a", "b"], [1, "x", "x"], [2, "y", "=B3"]):
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    res = cli("reliability", tmp_path / "f.xlsx")
    assert res.returncode == 2 and "row 3" in res.stderr and "'b'" in res.stderr and "formula" in res.stderr


def test_disagreements_are_listed_without_a_per_unit_apply():
    """Issue 11: listing disagreements took 12 of 14 s on 1,000,000 units (a row-wise apply); same result."""
    m = pd.DataFrame({"a": ["x", "y", None, "x", "z"], "b": ["x", "z", "y", None, "z"], "c": [None, "y", "y", "x", "q"]},
                     index=pd.Index(["u1", "u2", "u3", "u4", "u5"], name="unit"))
    assert coefficients.disagreements(m)["unit"].tolist() == ["u2", "u5"]


def test_kappa_bootstrap_in_chunks_draws_the_same_resamples(monkeypatch):
    """Issue 11: 1000 resamples of 1,000,000 units were one 8 GB index; in chunks, the same numbers."""
    rng = np.random.default_rng(0)
    m = pd.DataFrame(rng.integers(0, 3, (997, 2)))
    whole = bootstrap.bootstrap_kappa(m, n_boot=301, seed=3)
    monkeypatch.setattr(bootstrap, "BOOT_CELLS", 5 * 997 + 1)  # five resamples per chunk, the last one short
    assert bootstrap.bootstrap_kappa(m, n_boot=301, seed=3) == whole


def test_numeric_matrix_keeps_its_dtype_and_the_report_reads_as_before(tmp_path):
    """Issue 11: numbers stay numbers (vectorized checks on a million cells); codes print as written."""
    from pipeline.reliability import files

    f = tmp_path / "r.csv"
    f.write_text("unit,a,b\n1, 1 ,1\n2,2,\n3,3,1\n")
    matrix, _ = files.read_reliability_file(f)
    assert matrix["a"].dtype.kind == "i" and matrix["b"].dtype.kind == "f"
    res = cli("reliability", f)
    assert res.returncode == 0 and res.stdout.endswith("Units with disagreement: 1\nunit a    b\n   3 3  1.0\n")
