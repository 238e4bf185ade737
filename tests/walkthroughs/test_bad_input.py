"""Bad input stops the run before any notebook executes: one message, exit 2, outputs untouched."""

import csv

import pytest

from conftest import cli, examples, run_cli, tree_digest
from pipeline.errors import InputError


def rewrite(path, edit):
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def drop_column(name):
    def edit(rows):
        i = rows[0].index(name)
        for r in rows:
            del r[i]
    return edit


def set_cell(row, name, value):
    def edit(rows):
        rows[row - 1][rows[0].index(name)] = value
    return edit


def duplicate_row(row):
    def edit(rows):
        rows.insert(row, list(rows[row - 1]))
    return edit


CASES = {
    # case: (file, edit, words the message must contain)
    "missing column": ("raw/screening_log.csv", drop_column("reason"), ["screening_log.csv", "'reason'", "missing"]),
    "wrong type": ("raw/studies.csv", set_cell(4, "year", "twenty"), ["studies.csv", "row 4", "'year'", "integer"]),
    "duplicate id": ("coded/segments.csv", duplicate_row(3), ["segments.csv", "row 4", "'segment_id'", "unique"]),
    "unknown code": ("coded/segments.csv", set_cell(6, "code_id", "K99"), ["segments.csv", "row 6", "'code_id'", "K99"]),
    "unknown category": ("coded/codebook.csv", set_cell(10, "parent_id", "C9"),
                         ["codebook.csv", "row 10", "'parent_id'", "C9"]),
    "counts do not reconcile": ("raw/screening_log.csv", set_cell(30, "abstract", "include"),
                                ["screening_log.csv", "row 30", "'abstract'", "not passed on"]),
    "bad decision value": ("raw/screening_log.csv", set_cell(5, "title", "yes"),
                           ["screening_log.csv", "row 5", "'title'", "'include'"]),
    # Issue 11: rows of a filtered part of a file are still numbered as the file's lines.
    "unknown reason on line 14": ("raw/screening_log.csv", set_cell(14, "reason", "bogus"),
                                  ["screening_log.csv", "row 14", "'reason'", "bogus"]),
    "unknown code on line 20 of recoding": ("coded/recoding.csv", set_cell(20, "code_id", "K999"),
                                            ["recoding.csv", "row 20", "'code_id'", "K999"]),
    "control character in a code name": ("coded/codebook.csv", set_cell(3, "name", "bad\x01name"),
                                         ["codebook.csv", "row 3", "'name'", "control characters", "U+0001"]),
    "period that is not a year": ("raw/search_strategy.csv", set_cell(2, "value", "twenty"),
                                  ["search_strategy.csv", "row 2", "'value'", "four-digit year"]),
    "reason naming no criterion": ("raw/exclusion_reasons.csv", set_cell(3, "criterion_id", "nosuch"),
                                   ["exclusion_reasons.csv", "row 3", "'criterion_id'", "nosuch"]),
    "re-coding occasion 3": ("coded/recoding.csv", set_cell(5, "occasion", "3"),
                             ["recoding.csv", "row 5", "'occasion'", "1 or 2"]),
    "duplicate claim id": ("reference/article_claims.csv", duplicate_row(3),
                           ["article_claims.csv", "row 4", "'claim_id'", "unique"]),
    "extra column in the claims": ("reference/article_claims.csv", lambda rows: [r.append("x") for r in rows],
                                   ["article_claims.csv", "not in this file's schema"]),
    "bad provenance": ("raw/studies.csv", set_cell(2, "provenance", "guess"),
                       ["studies.csv", "row 2", "'provenance'", "reconstructed"]),
    "23-digit year_cited": ("raw/studies.csv", set_cell(3, "year_cited", "9" * 23),
                            ["studies.csv", "row 3", "'year_cited'"]),
    "23-digit round": ("raw/screening_log.csv", set_cell(7, "round", "9" * 23),
                       ["screening_log.csv", "row 7", "'round'"]),
    "re-coding occasion -1": ("coded/recoding.csv", set_cell(8, "occasion", "-1"),
                              ["recoding.csv", "row 8", "'occasion'", "1 or 2"]),
}


def refused_with_one_line(res, words) -> None:
    """Exit 2, no traceback, one line that starts with 'error:' and holds each of ``words``."""
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stdout + res.stderr
    message = res.stderr.strip()
    assert message.startswith("error: ") and len(message.splitlines()) == 1, message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_by_validate_naming_file_row_and_column(case, data_copy):
    """The same cases as below, through ``validate`` in this process: the check a run starts with."""
    file, edit, words = CASES[case]
    rewrite(data_copy / file, edit)
    data_before = tree_digest(data_copy)
    refused_with_one_line(cli("validate", "--data", data_copy), words)
    assert tree_digest(data_copy) == data_before


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_before_any_notebook(case, data_copy, tmp_path):
    file, edit, words = CASES[case]
    rewrite(data_copy / file, edit)
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "earlier.svg").write_text("<svg/>")
    before = tree_digest(out)
    data_before = tree_digest(data_copy)
    res = run_cli("run", "--data", data_copy, "--out", out)
    refused_with_one_line(res, words)
    assert "[1/" not in res.stdout  # no notebook ran
    assert tree_digest(out) == before
    assert tree_digest(data_copy) == data_before


def test_missing_file_is_named(data_copy, tmp_path):
    (data_copy / "coded" / "recoding.csv").unlink()
    res = cli("validate", "--data", data_copy)
    assert res.returncode == 2 and "recoding.csv" in res.stderr and "not found" in res.stderr


def test_import_records_round_0_is_refused_and_changes_nothing(data_copy, tmp_path):
    ris = tmp_path / "x.ris"
    ris.write_text("TY  - JOUR\nTI  - A title\nPY  - 2020\nER  - \n")
    before = tree_digest(data_copy)
    res = cli("import-records", ris, "--source", "X", "--round", "0", "--data", data_copy)
    assert res.returncode == 2 and "--round 1 or later" in res.stderr and "Traceback" not in res.stderr
    assert tree_digest(data_copy) == before


def test_unknown_parameter_is_refused(tmp_path):
    res = cli("run", "--out", tmp_path, "-p", "bootstrap_resample", "10")
    assert res.returncode == 2
    assert "bootstrap_resample" in res.stderr and "bootstrap_resamples" in res.stderr


@pytest.mark.parametrize("name, value, words", [
    ("bootstrap_resamples", "abc", ["-p bootstrap_resamples", "a whole number"]),
    ("bootstrap_resamples", "-100", ["between 0 and 100000"]),
    ("bootstrap_resamples", "100000000", ["between 0 and 100000"]),
    ("saturation_orders", "0", ["-p saturation_orders", "between 1"]),
    ("reliability_level", "bogus", ["one of nominal, ordinal, interval, ratio"]),
    ("reliability_minimum", ".nan", ["-p reliability_minimum", "a number"]),
    ("quality_min_yes", "6.5", ["a whole number"]),
])
def test_parameters_are_checked_before_any_notebook(name, value, words, tmp_path):
    """Issue 11: one schema for params.yml and -p, types and ranges, exit 2 before anything runs."""
    out = tmp_path / "out"
    res = cli("run", "--out", out, "-p", name, value)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)
    assert not (out / "reports").exists()


def test_a_bad_value_in_params_yml_names_the_file(tmp_path):
    from pipeline.run import params

    params_file = tmp_path / "params.yml"
    params_file.write_text("random_seed: -5\n")
    with pytest.raises(Exception) as err:
        params.check_params({"random_seed": -5}, {}, params_file, set())
    assert "params.yml" in str(err.value) and "random_seed" in str(err.value)


@pytest.mark.parametrize("text, row, words", [
    ("random_seed: 1\nreliabilty_minimum: 0.5\n", 2, ["parameter 'reliabilty_minimum': unknown", "reliability_minimum"]),
    ("random_seed: 1\nalpha_minimum: 0.6\nrandom_seed: 2\n", 3, ["parameter 'random_seed' once", "also on line 1"]),
    ("out_dir: /tmp/x\n", 1, ["parameter 'out_dir': set by the runner (--out)"]),
])
def test_params_yml_names_are_checked_like_p(tmp_path, text, row, words):
    """Issue 22: a typo or a repeated name in params.yml is refused on its line, as `-p` refuses it."""
    from pipeline.run import params

    params_file = tmp_path / "params.yml"
    params_file.write_text(text)
    known = {"random_seed", "reliability_minimum", "alpha_minimum"}
    with pytest.raises(InputError) as err:
        params.load_params(params_file, [], known)
    assert err.value.file == str(params_file) and err.value.row == row
    for w in words:
        assert w in str(err.value), (w, str(err.value))


@pytest.mark.slow
def test_a_typo_in_a_reviews_params_yml_stops_run_before_any_notebook(tmp_path):
    review = tmp_path / "review"
    assert cli("init", review).returncode == 0
    params_file = review / "params.yml"
    params_file.write_text(params_file.read_text() + "quality_min_yess: 5\n")
    res = run_cli("run", cwd=review)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "params.yml, row" in res.stderr and "quality_min_yess" in res.stderr and "quality_min_yes" in res.stderr
    assert not (review / "reports" / "run.json").exists()


@pytest.mark.parametrize("text, words", [
    ("title: [1, 2\n", ["article.yml", "valid UTF-8 YAML"]),
    ("- just\n- a list\n", ["article.yml", "a mapping"]),
    ("title: T\nauthors: [Smith]\n", ["article.yml", "authors"]),
    ("title: T\nyear: twenty\n", ["article.yml", "'year'", "four-digit"]),
])
def test_a_malformed_article_yml_is_refused_by_validate(data_copy, text, words):
    """Issue 11: reference/article.yml is checked with the rest, not left to crash `supplement`."""
    (data_copy / "reference" / "article.yml").write_text(text, encoding="utf-8")
    res = cli("validate", "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)


@pytest.mark.parametrize("content", [b"", "claim_id,claim,reported,source\nx,Caf\xe9,1,\n".encode("cp1252"),
                                     "claim_id,claim,reported,source\nx,y,1,\n".encode("utf-16")])
def test_unreadable_claims_are_refused_without_a_traceback(data_copy, content):
    (data_copy / "reference" / "article_claims.csv").write_bytes(content)
    res = cli("validate", "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr and "article_claims.csv" in res.stderr, res.stderr


@pytest.mark.slow
def test_header_only_segments_and_recoding_run_instead_of_failing_in_a_notebook(data_copy, tmp_path):
    """Issue 11: valid but empty coded data must not fail a notebook (IndexError in 02, ZeroDivisionError in 04)."""
    for rel in ("coded/segments.csv", "coded/recoding.csv"):
        path = data_copy / rel
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    res = run_cli("run", "--data", data_copy, "--out", tmp_path / "out")
    assert res.returncode == 0, res.stdout + res.stderr
    said = (tmp_path / "out" / "reports" / "04_reliability.ipynb").read_text(encoding="utf-8")
    assert "has no re-coding yet" in said


@pytest.mark.parametrize("case", ["out is a file", "out below a file", "reliability on a folder", "corrupt xlsx",
                                  "negative bootstrap", "negative seed", "prisma on a folder", "prisma in cp1252",
                                  "supplement out is a file", "prisma with 1e400", "prisma on a device"])
def test_command_line_inputs_end_in_a_message_not_a_traceback(case, tmp_path):
    """Issue 11: each of these ended in a traceback."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (tmp_path / "rel.csv").write_text("unit,a,b\n1,x,x\n2,y,z\n3,x,x\n")
    (tmp_path / "cp.csv").write_bytes("data,n\ndatabase_results,12\nnote,caf\xe9\n".encode("cp1252"))
    args = {"out is a file": ["run", "--out", afile],
            "out below a file": ["run", "--out", afile / "below"],
            "reliability on a folder": ["reliability", tmp_path],
            "corrupt xlsx": ["reliability", tmp_path / "bad.xlsx"],
            "negative bootstrap": ["reliability", tmp_path / "rel.csv", "--bootstrap", "-5"],
            "negative seed": ["reliability", tmp_path / "rel.csv", "--seed", "-1"],
            "prisma on a folder": ["prisma", tmp_path],
            "prisma in cp1252": ["prisma", tmp_path / "cp.csv", "--out", tmp_path / "o"],
            "supplement out is a file": ["supplement", "--out", afile],
            "prisma with 1e400": ["prisma", tmp_path / "big.csv", "--out", tmp_path / "o"],
            "prisma on a device": ["prisma", "/dev/null", "--out", tmp_path / "o"]}[case]
    (tmp_path / "big.csv").write_text("data,n\ndatabase_results,1e400\n")
    res = cli(*args)
    assert res.returncode == 2 and "Traceback" not in res.stderr and res.stderr.startswith("error: "), res.stderr
    assert afile.read_text() == "x"


# --- property-based: mutated data files and arbitrary arguments (issue 11) ---------------------

import shutil  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import DATA  # noqa: E402

FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.csv"))
NASTY = st.sampled_from(["", "x", "-1", "1e309", "99999999999999999999999", "nan", "R001", "K01", "C1", "include",
                         "exclude", "pending", "title;abstract", "reported", "a,b", 'quote"d', "line\nbreak",
                         "tab\there", "\x01", "ÿ", "🙂", "=cmd()", " ", "2004", "solar_hijri", "fa"])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("mutated")


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(FILES), row=st.integers(0, 40), col=st.integers(0, 12), value=NASTY,
       cut=st.one_of(st.none(), st.integers(0, 3000)), junk=st.binary(max_size=8))
def test_any_mutated_data_file_is_valid_or_refused_with_a_message(scratch, file, row, col, value, cut, junk):
    data = scratch / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(DATA, data)
    path = data / file
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    if rows and row < len(rows) and col < len(rows[row]):
        rows[row][col] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    if cut is not None:
        raw = path.read_bytes()
        path.write_bytes(raw[:cut] + junk + raw[cut:])
    before = tree_digest(data)
    for command in (["validate"], ["status"]):
        res = cli(*command, "--data", data, cwd=scratch)
        code, err = res.returncode, res.stderr
        assert code in (0, 2), (command, err)
        assert code == 0 or err.startswith("error: "), err
    assert tree_digest(data) == before


WORDS = ["validate", "status", "prisma", "reliability", "verify", "screen", "import-records", "import-coded",
         "export-qda", "init", "diff", "--data", "--out", "--stage", "--include", "--exclude", "--reason", "--level",
         "--bootstrap", "--seed", "--format", "--minimum", "--json", "--source", "--round", "--replace", "--title",
         "title", "interval", "long", "-3", "0", "nan", "R013", "not_reported", "missing.csv", "@DATA", "@FILE", "@DIR"]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))
def test_any_command_line_exits_0_or_2_and_leaves_data_alone_on_refusal(scratch, words):
    data = scratch / "cli-data"
    if not data.exists():
        shutil.copytree(DATA, data)
    a_file = scratch / "screening_log.csv"
    shutil.copyfile(DATA / "raw" / "screening_log.csv", a_file)
    sub = {"@DATA": data, "@FILE": a_file, "@DIR": scratch / "somewhere"}
    argv = [sub.get(w, w) for w in words]
    if argv[0] == "init" and len(argv) > 1:
        argv[1] = scratch / "inits" / str(len(list((scratch / "inits").glob("*"))) if (scratch / "inits").exists() else 0)
    before = tree_digest(data)
    res = cli(*argv, cwd=scratch)
    code, err = res.returncode, res.stderr
    assert code in (0, 2), (argv, err)
    if code == 2:
        assert tree_digest(data) == before, argv
        shutil.rmtree(data)
        shutil.copytree(DATA, data)


def test_output_piped_into_head_ends_quietly(tmp_path):
    """Issue 22: `pipeline … | head` ended in 'error: Broken pipe'."""
    import subprocess
    import sys

    big = tmp_path / "big.csv"
    big.write_text("unit,a,b\n" + "".join(f"u{i},x,y\n" for i in range(20000)))  # 20,000 units to reconcile
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "reliability", big], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # what head does after its lines
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""


def test_every_row_one_value_longer_than_its_header_is_refused_on_its_row(data_copy):
    """Issue 22: pandas reads such a file with its first column as an index; that was a traceback."""
    f = data_copy / "raw" / "criteria.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    f.write_text("\n".join([lines[0]] + [line + ",extra" for line in lines[1:]]) + "\n", encoding="utf-8")
    res = cli("validate", "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "criteria.csv, row 2" in res.stderr and "values per row" in res.stderr
