from pathlib import Path

import pandas as pd
import pytest

from pipeline.screening import criteria
from pipeline.screening import log as screening_log
from pipeline.errors import InputError

REASONS = pd.DataFrame({"reason_id": ["language", "quality"], "label": ["Language", "Low quality"],
                        "criterion_id": ["language", ""], "stages": ["title;abstract", "quality"],
                        "provenance": ["reported", "reported"]})


def log(rows):
    cols = ["record_id", "title", "abstract", "retrieval", "full_text", "quality", "reason"]
    return pd.DataFrame(rows, columns=cols)


def test_flow_counts_the_stages_the_log_declares_and_only_those():
    lg = log([["a", "include", "include", "", "", "", ""], ["b", "include", "exclude", "", "", "", "language"],
              ["c", "exclude", "", "", "", "", "language"]])
    assert screening_log.stages_used(lg) == ["title", "abstract", "retrieval", "full_text", "quality"]
    assert screening_log.pending(lg).values.tolist() == [["a", "retrieval"]]  # declared, so a records waits there
    lg = lg.drop(columns=["retrieval", "full_text", "quality"])  # a review that screens at title and abstract only
    flow = screening_log.flow(lg)
    assert flow.to_dict("records") == [
        {"stage": "title", "records_in": 3, "excluded": 1, "records_out": 2},
        {"stage": "abstract", "records_in": 2, "excluded": 1, "records_out": 1}]
    assert screening_log.included_records(lg) == ["a"]


def test_pending_records_are_listed_with_their_stage():
    lg = log([["a", "include", "pending", "", "", "", ""], ["b", "include", "", "", "", "", ""],
              ["c", "include", "include", "", "", "", ""]]).drop(columns=["retrieval", "full_text", "quality"])
    assert screening_log.pending(lg).values.tolist() == [["a", "abstract"], ["b", "abstract"]]
    flow = screening_log.flow(lg).set_index("stage")
    assert flow.loc["abstract"].tolist() == [3, 0, 1]  # entering includes the two still pending


@pytest.mark.parametrize("row,expected", [
    (["a", "exclude", "include", "", "", "", "language"], "not passed on"),
    (["a", "exclude", "", "", "", "", ""], "expected an exclusion reason"),
    (["a", "include", "include", "", "", "", "language"], "expected no reason"),
    (["a", "include", "exclude", "", "", "", "quality"], "applies at stage 'abstract'"),
])
def test_inconsistent_log_rows_are_refused(row, expected):
    with pytest.raises(InputError) as err:
        screening_log.check_log(log([["z", "include", "include", "", "", "", ""], row]), REASONS, Path("log.csv"))
    assert expected in err.value.message and err.value.row == 3


def test_reasons_by_stage_uses_labels():
    lg = log([["a", "exclude", "", "", "", "", "language"], ["b", "exclude", "", "", "", "", "language"],
              ["c", "include", "include", "", "", "", ""]])
    assert criteria.reasons_by_stage(lg, REASONS) == {"title": {"Language": 2}}


def test_reasons_by_stage_grows_linearly_with_the_records():
    """Issue 12: stages were recomputed per record (20 s at 10,000 records); a guard on growth, not time."""
    import time

    import pandas as pd

    from pipeline import inputs as inputs_mod
    from pipeline.screening import criteria
    from conftest import DATA

    ref = inputs_mod.load_inputs(DATA)

    def timed(n):
        log = pd.concat([ref.screening_log] * (n // len(ref.screening_log)), ignore_index=True)
        start = time.perf_counter()
        out = criteria.reasons_by_stage(log, ref.exclusion_reasons)
        return time.perf_counter() - start, out

    small, _ = min((timed(870) for _ in range(3)), key=lambda r: r[0])
    big, out = min((timed(8700) for _ in range(3)), key=lambda r: r[0])
    assert out["title"]["Reason not reported by the authors"] == 49 * 100
    assert big / small < 25  # ×10 records: linear measured 12, the former quadratic code 45
