"""Issue 22: a PRISMA2020 CSV (the R package's template, filled in by hand or by the web app) is checked
like the command line: every refusal names the file, the row and the column, never a traceback."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import cli, examples
from pipeline.errors import InputError
from pipeline.screening import prisma

FILLED = {"previous_studies": "NA", "database_results": "120", "register_results": "NA", "duplicates": "20",
          "excluded_automatic": "NA", "excluded_other": "NA", "records_screened": "100", "records_excluded": "70",
          "dbr_sought_reports": "30", "dbr_notretrieved_reports": "2", "dbr_assessed": "28",
          "dbr_excluded": "Wrong population, 10; Wrong design, 8", "new_studies": "10", "new_reports": "10",
          "total_studies": "10"}


def filled(tmp_path, values=FILLED, extra_rows=()):
    t = pd.read_csv(prisma.TEMPLATE, dtype=str, keep_default_na=False)
    t["n"] = t["data"].map(lambda k: values.get(k, "NA"))
    for data, n in extra_rows:
        t = pd.concat([t, t[t["data"] == data].assign(n=n)], ignore_index=True)
    f = tmp_path / "PRISMA.csv"
    t.to_csv(f, index=False)
    return f, {k: i + 2 for i, k in enumerate(t["data"]) if k not in ("NA", "")}


def test_the_filled_template_reads_exactly(tmp_path):
    f, _ = filled(tmp_path, FILLED | {"database_results": "120.0"})
    c = prisma.read_csv(f)
    assert c["database_results"] == 120 and c["dbr_excluded"] == {"Wrong population": 10, "Wrong design": 8}


@pytest.mark.parametrize("values,box,expected", [
    (FILLED | {"duplicates": "9" * 400}, "duplicates", "at most 9 digits"),
    (FILLED | {"duplicates": "1e3"}, "duplicates", "a whole number of records"),
    (FILLED | {"duplicates": "-20", "database_results": "80"}, "duplicates", "a whole number of records"),
    (FILLED | {"dbr_excluded": "Wrong population, -10; Wrong design, 28"}, "dbr_excluded", "each n a whole number"),
    (FILLED | {"dbr_excluded": "Wrong design, 10; Wrong design, 8"}, "dbr_excluded", "each reason once"),
    (FILLED | {"records_excluded": "69"}, "dbr_sought_reports", "counts that add up"),
    (FILLED | {"new_studies": "12"}, "new_studies", "counts that add up"),
])
def test_bad_counts_are_refused_on_their_row(tmp_path, values, box, expected):
    f, rows = filled(tmp_path, values)
    with pytest.raises(InputError) as err:
        prisma.read_csv(f)
    assert err.value.row == rows[box] and expected in err.value.expected
    res = cli("prisma", f, "--out", tmp_path / "out")
    assert res.returncode == 2 and f"row {rows[box]}" in res.stderr and "Traceback" not in res.stderr


def test_a_box_given_twice_is_refused_naming_both_rows(tmp_path):
    f, _ = filled(tmp_path, extra_rows=[("duplicates", "25")])
    first, second = [i + 2 for i, k in enumerate(pd.read_csv(f, dtype=str)["data"]) if k == "duplicates"]
    with pytest.raises(InputError) as err:
        prisma.read_csv(f)
    assert err.value.row == second and f"also on row {first}" in err.value.expected and err.value.column == "data"


@settings(max_examples=examples(60), deadline=None)
@given(box=st.sampled_from(sorted(FILLED)), n=st.one_of(st.text(max_size=30), st.integers(-10**30, 10**30).map(str),
                                                       st.floats(allow_nan=True).map(str)))
def test_any_value_in_any_box_reads_or_is_refused(tmp_path_factory, box, n):
    f, _ = filled(tmp_path_factory.mktemp("p"), FILLED | {box: n})
    try:
        c = prisma.read_csv(f)
    except InputError as exc:
        assert str(f) in str(exc)
    else:
        assert all(v >= 0 for v in c.values() if isinstance(v, int))
