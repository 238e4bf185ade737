"""Issue 25: confidence in each finding (GRADE-CERQual): findings as data, the evidence computed beside
the reviewers' judgements, never a judgement invented."""

import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, ROOT, cli, examples, tree_digest
from pipeline import inputs as inputs_mod
from pipeline.coding import cerqual

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402


def test_the_reference_findings_are_its_categories_and_none_is_assessed():
    inp = inputs_mod.load_inputs(DATA)
    cats = inp.codebook[inp.codebook["level"] == "category"]
    assert inp.findings["nodes"].tolist() == cats["node_id"].tolist()
    assert inp.findings["provenance"].str.startswith("derived:").all()
    ev = cerqual.evidence(inp.findings, inp.codebook, inp.segments, inp.studies, inp.quality_appraisal)
    # Contributing studies are exactly those with segments on the category or anything below it.
    parent = dict(zip(inp.codebook["node_id"], inp.codebook["parent_id"]))

    def category(node):
        while parent.get(node):
            node = parent[node]
        return node
    by_cat = inp.segments.assign(cat=inp.segments["code_id"].map(category)).groupby("cat")["study_id"]
    for f in inp.findings.to_dict("records"):
        assert ev.set_index("finding_id").at[f["finding_id"], "studies"].split(";") == \
            sorted(set(by_cat.get_group(f["nodes"])))
    soqf = pd.read_csv(ROOT / "tables" / "cerqual_soqf.csv", dtype=str, keep_default_na=False)
    assert list(soqf.columns) == ["finding_id", "statement", "confidence", "explanation", "studies", "n_studies"]
    assert (soqf["confidence"] == "not assessed").all() and soqf["studies"].tolist() == ev["studies"].tolist()
    profile = pd.read_csv(ROOT / "tables" / "cerqual_evidence_profile.csv", dtype=str, keep_default_na=False)
    assert (profile["concern"] == "not assessed").all() and len(profile) == 5 * len(inp.findings)
    res = cli("status")
    assert "assess confidence in 7 findings (GRADE-CERQual): F1, F2, F3, F4, F5, F6, F7" in res.stdout


@pytest.fixture()
def synthetic_review(tmp_path):
    return synthetic.generate(tmp_path / "data", studies=30, codes=60, seed=3, cerqual=True)


def test_a_synthetic_review_shows_computed_evidence_beside_its_judgements(synthetic_review):
    inp = inputs_mod.load_inputs(synthetic_review)
    ev = cerqual.evidence(inp.findings, inp.codebook, inp.segments, inp.studies, inp.quality_appraisal)
    soqf = cerqual.soqf(inp.findings, ev, inp.cerqual)
    judged = inp.cerqual[inp.cerqual["component"] == "overall"].set_index("finding_id")
    assert soqf.set_index("finding_id")["confidence"].to_dict() == judged["judgement"].to_dict()
    profile = cerqual.evidence_profile(inp.findings, ev, inp.cerqual)
    limits = profile[profile["component"] == "methodological limitations"]
    assert limits["evidence"].str.contains(r"studies appraised \(CASP\)").all()
    assert profile[profile["component"] == "relevance"]["evidence"].str.contains("country: ").all()
    adequacy = profile[profile["component"] == "adequacy"]["evidence"]
    assert adequacy.str.match(r"^\d+ studies, \d+ segments, \d+ words of quoted data").all()
    assert cerqual.unassessed(inp.findings, inp.cerqual) == []
    assert "assess confidence" not in cli("status", "--data", synthetic_review).stdout


@pytest.mark.slow
def test_a_synthetic_reviews_run_writes_both_tables_with_its_judgements(synthetic_review, tmp_path):
    res = cli("run", "--data", synthetic_review, "--out", tmp_path / "out", "--force")
    assert res.returncode == 0, res.stderr[-2000:]
    soqf = pd.read_csv(tmp_path / "out" / "tables" / "cerqual_soqf.csv", dtype=str, keep_default_na=False)
    assert "not assessed" not in set(soqf["confidence"]) and soqf["explanation"].str.len().gt(0).all()
    for ext in ("md", "tex"):
        assert (tmp_path / "out" / "tables" / f"cerqual_evidence_profile.{ext}").is_file()
    assert (tmp_path / "out" / "figures" / "cerqual_findings.svg").is_file()


@pytest.mark.parametrize("change, words", [
    (lambda j: j.assign(explanation=""), "an explanation of"),
    (lambda j: j.assign(finding_id=["F99"] + j["finding_id"].tolist()[1:]), "a finding_id of coded/findings.csv"),
    (lambda j: j.assign(judgement="some concerns"), "a concern: no or very minor concerns"),
    (lambda j: j.assign(judgement=["serious concerns" if c != "overall" else "high" for c in j["component"]],
                        explanation="because"), "cannot be high"),
])
def test_inconsistent_judgements_are_refused_naming_the_row(synthetic_review, change, words):
    path = synthetic_review / "coded" / "cerqual.csv"
    judgements = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(judgements).to_csv(path, index=False)
    before = tree_digest(synthetic_review)
    res = cli("validate", "--data", synthetic_review)
    assert res.returncode == 2 and words in res.stderr and "coded/cerqual.csv, row " in res.stderr
    assert "Traceback" not in res.stderr and tree_digest(synthetic_review) == before


def test_a_finding_on_a_node_the_codebook_lacks_is_refused(synthetic_review):
    path = synthetic_review / "coded" / "findings.csv"
    findings = pd.read_csv(path, dtype=str, keep_default_na=False)
    findings.loc[2, "nodes"] = "C1; K9999"
    findings.to_csv(path, index=False)
    res = cli("validate", "--data", synthetic_review)
    assert res.returncode == 2 and "coded/findings.csv, row 4, column 'nodes'" in res.stderr and "K9999" in res.stderr


def test_a_new_review_starts_with_the_findings_and_judgement_files(tmp_path):
    assert cli("init", tmp_path / "r").returncode == 0
    coded = tmp_path / "r" / "data" / "coded"
    assert (coded / "findings.csv").read_text() == "finding_id,statement,nodes,provenance\n"
    assert (coded / "cerqual.csv").read_text() == "finding_id,component,judgement,explanation,assessor\n"


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["F1", "F2", "F9", ""]),
                               st.sampled_from(list(cerqual.COMPONENTS) + ["overall", "other"]),
                               st.sampled_from(list(cerqual.CONCERNS) + list(cerqual.CONFIDENCE) + ["", "x"]),
                               st.sampled_from(["", "why", "a,b"])), max_size=6))
def test_any_judgements_file_exits_0_or_2(tmp_path_factory, rows):
    data = synthetic.generate(tmp_path_factory.mktemp("r") / "data", studies=8, codes=20, seed=1, cerqual=True)
    pd.DataFrame(rows, columns=["finding_id", "component", "judgement", "explanation"]).assign(
        assessor="a").to_csv(data / "coded" / "cerqual.csv", index=False)
    res = cli("validate", "--data", data)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr
