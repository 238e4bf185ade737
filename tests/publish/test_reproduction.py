
from pipeline import inputs as inputs_mod
from pipeline.publish import reproduction

from conftest import DATA


def test_computed_never_reads_reported(tmp_path):
    """Changing the reported values changes the status, never the computed values."""
    inp = inputs_mod.load_inputs(DATA)
    claims = inp.article_claims
    base = reproduction.reproduction_check(inp, claims, 0.6)
    altered = claims.assign(reported=claims["reported"].where(claims["claim_id"] != "coding.initial_codes", "61"))
    check = reproduction.reproduction_check(inp, altered, 0.6)
    assert check["computed"].tolist() == base["computed"].tolist()
    row = check[check["claim"] == "Initial codes (open coding)"].iloc[0]
    assert row["status"] == "mismatch" and row["computed"] == "60"


def test_basis_flags_reconstructed_rows():
    inp = inputs_mod.load_inputs(DATA)
    check = reproduction.reproduction_check(inp, inp.article_claims, 0.6).set_index("claim")
    assert check.loc["Main categories", "basis"] == "reported"
    assert check.loc["Initial codes (open coding)", "basis"] == "reconstructed"
    assert check.loc["Interval between the two coding occasions", "status"] == "not_derivable"


def test_numeric_comparison_uses_reported_precision():
    assert reproduction._same("86.7", 86.6667)
    assert not reproduction._same("86.7", 86.6)
    assert reproduction._same("yes", "yes") and not reproduction._same("12", "x")
