"""Issue 23: `pipeline simulate LABELLED_FILE --prior ... --out ORDER.csv`, its order and its measures."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import realdata
from conftest import cli, examples
from pipeline.screening import simulate, stopping

TOPIC = "online mentoring of university students at a distance".split()
OTHER = "tumour chemotherapy dose mice trial cardiac surgery outcome".split()


def labelled(tmp_path, n=300, relevant=15, seed=1):
    """A labelled CSV: relevant records about mentoring, the rest about something else, words shared."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        rel = i % (n // relevant) == 0
        words = TOPIC if rel else OTHER
        title = " ".join(rng.choice(words, 6))
        abstract = " ".join(rng.choice(words + OTHER, 40))
        rows.append({"record_id": f"R{i:04d}", "title": title, "abstract": abstract, "label_included": int(rel)})
    f = tmp_path / "labelled.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    return f


def test_the_order_lists_every_record_once_priors_first_with_one_stop(tmp_path):
    f = labelled(tmp_path)
    out = tmp_path / "order.csv"
    res = cli("simulate", f, "--prior", "R0000", "--prior", "R0001", "--seed", "3", "--out", out)
    assert res.returncode == 0, res.stderr
    order = pd.read_csv(out, dtype={"record_id": str})
    assert list(order.columns) == ["record_id", "label", "stop"]
    assert order["record_id"].tolist()[:2] == ["R0000", "R0001"] and order["record_id"].is_unique
    assert len(order) == 300 and order["stop"].sum() == 1
    m = simulate.measures(order["label"].to_numpy())
    assert f"WSS@95 {m['wss95']:.3f}" in res.stdout and f"WSS@100 {m['wss100']:.3f}" in res.stdout
    assert f"recall after 10% screened {m['recall_at_10']:.3f}, after 25% {m['recall_at_25']:.3f}" in res.stdout
    stop = int(np.flatnonzero(order["stop"])[0]) + 1
    said = f"stopped at row {stop:,} of 300" if stop < 300 else "the rule never stopped"
    assert said in res.stdout
    assert m["wss95"] > 0.5  # the topic is easy: most of the work is saved


def test_same_seed_same_order_and_the_stop_uses_only_the_rows_before(tmp_path):
    f = labelled(tmp_path)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        assert cli("simulate", f, "--prior", "R0000", "--prior", "R0001", "--out", out).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    order = pd.read_csv(a)
    k = int(np.flatnonzero(order["stop"])[0]) + 1
    labels = order["label"].to_numpy()
    if k < len(order):
        assert stopping.buscar_p(labels[:k], len(order)) < 0.05
    assert all(stopping.buscar_p(labels[:j], len(order)) >= 0.05 for j in range(3, k))


def test_measures_on_a_hand_counted_order():
    labels = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    m = simulate.measures(labels)
    # 3 relevant: 95% needs all 3 (ceil 2.85), found at record 6 of 20: 0.95 - 6/20, 1 - 6/20
    assert m["wss95"] == pytest.approx(0.65) and m["wss100"] == pytest.approx(0.70)
    # first 10% = 2 records hold 1 of 3; first 25% = 5 records hold 2 of 3
    assert m["recall_at_10"] == pytest.approx(1 / 3, abs=1e-4) and m["recall_at_25"] == pytest.approx(2 / 3, abs=1e-4)


def test_a_real_asreview_export_runs_with_row_numbers_as_ids(real, tmp_path):
    f = real("asreview", realdata.AS + "generic_labels.csv")
    res = cli("simulate", f, "--prior", "1", "--prior", "2", "--out", tmp_path / "o.csv")
    assert res.returncode == 0, res.stderr
    order = pd.read_csv(tmp_path / "o.csv", dtype={"record_id": str})
    assert sorted(order["record_id"], key=int) == [str(i) for i in range(1, 7)]


def test_a_real_ris_with_unseen_records_is_refused_naming_the_record(real, tmp_path):
    f = real("asreview", realdata.AS + "baseline_tag-notes_labels.ris")
    res = cli("simulate", f, "--prior", "1", "--out", tmp_path / "o.csv")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert str(f) in res.stderr and "row " in res.stderr and "a label" in res.stderr
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("args, words", [
    (["--prior", "R9999"], "--prior: a record_id of the labelled file"),
    (["--prior", "R0000", "--prior", "R0000"], "--prior: each record once"),
    (["--prior", "R0000", "--recall", "1.5"], "--recall and --confidence"),
])
def test_bad_arguments_are_refused(tmp_path, args, words):
    f = labelled(tmp_path)
    res = cli("simulate", f, *args, "--out", tmp_path / "o.csv")
    assert res.returncode == 2 and words in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o.csv").exists()


@settings(max_examples=examples(24), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(["--prior", "R0000", "R0003", "x", "--seed", "-1", "7", "--recall", "0.9",
                                      "--confidence", "2", "--out", ""]), max_size=8))
def test_any_arguments_exit_0_or_2(tmp_path, args):
    f = labelled(tmp_path, n=60, relevant=6)
    res = cli("simulate", f, *args)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr
