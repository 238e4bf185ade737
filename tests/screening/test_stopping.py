"""Issue 23: the stopping rule is Callaghan & Müller-Hansen's, as their package buscarpy computes it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from pipeline.screening import stopping


@settings(max_examples=examples(300), deadline=None)
@given(n_total=st.integers(2, 4000), data=st.data(), recall=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_buscar_p_is_buscarpys_calculate_h0(n_total, data, recall):
    from buscarpy import calculate_h0

    k = data.draw(st.integers(1, n_total - 1))
    prevalence = data.draw(st.floats(0.0, 0.5))
    seed = data.draw(st.integers(0, 2**32 - 1))
    labels = (np.random.default_rng(seed).random(k) < prevalence).astype(np.int8)
    with np.errstate(all="ignore"):
        expected = float(calculate_h0(labels, N=n_total, recall_target=recall))
    got = stopping.buscar_p(labels, n_total, recall)
    if np.isfinite(expected):
        assert got == pytest.approx(expected, rel=1e-7, abs=1e-12)
    else:  # buscarpy gives nan where the hypothesis cannot hold (more relevant records than the urn has)
        assert got == 0.0


def test_buscar_stops_only_with_evidence():
    n = 2000
    found_then_nothing = np.r_[np.ones(30), np.zeros(1700)].astype(int)  # 30 relevant first, then 1,700 without
    assert stopping.buscar_p(found_then_nothing, n) < 0.05
    early = np.r_[np.ones(30), np.zeros(900)].astype(int)
    assert stopping.buscar_p(early, n) > 0.05  # an unbiased urn: 900 irrelevant tell too little about 1,070 unseen
    assert stopping.buscar_p(np.zeros(0), n) == 1.0
    assert stopping.buscar_p(np.ones(n, dtype=int), n) == 0.0  # all screened


def test_first_stop_sees_only_the_labels_up_to_each_row():
    labels = np.r_[[1, 0], np.ones(40), np.zeros(300), [1], np.zeros(2000)].astype(int)
    n = len(labels) + 100
    k = stopping.first_stop(stopping.Rule(), labels, n, start=3)
    assert k is not None and stopping.buscar_p(labels[:k], n) < 0.05 <= stopping.buscar_p(labels[:k - 1], n)
    assert k > 343  # not before the last relevant record: the run of irrelevant records before it was too short
    assert stopping.first_stop(stopping.Rule("consecutive", consecutive=50), labels, n) == 42 + 50
    assert stopping.first_stop(stopping.Rule("share", share=0.5), labels, n) == int(np.ceil(0.5 * n))
    assert stopping.first_stop(stopping.Rule("consecutive", consecutive=5000), labels, n) is None
    assert stopping.first_stop(stopping.Rule(), labels[:300], n) is None  # too little evidence yet


def test_every_rule_says_what_it_rests_on():
    labels = np.r_[np.ones(5), np.zeros(300)].astype(int)
    assert set(stopping.estimate(stopping.Rule(), labels, 1000)) == {"stop", "p_value"}
    assert stopping.estimate(stopping.Rule("consecutive", consecutive=300), labels, 1000) == {
        "stop": True, "irrelevant_in_a_row": 300}
    assert stopping.estimate(stopping.Rule("share", share=0.5), labels, 1000)["stop"] is False
    assert "Callaghan" in stopping.Rule().describe()
