"""Issue 23: a screening session writes every decision at once, shows the likely relevant first, and stops
with a rule it records; dual screening, sheets and other tools' labels go through the same log."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cli, examples, tree_digest
from pipeline import datafiles
from pipeline.inputs import load_inputs
from pipeline.screening import prisma, session as session_mod
from pipeline.screening.session import Session

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
REASONS = "reason_id,label,criterion_id,stages,provenance\noff_topic,Off topic,,title;abstract;full_text,reported\n"


def review(tmp_path, name="review") -> Path:
    """A new review with the Web of Science and Scopus fixtures imported and one exclusion reason."""
    root = tmp_path / name
    assert cli("init", root).returncode == 0
    data = root / "data"
    (data / "raw" / "exclusion_reasons.csv").write_text(REASONS, encoding="utf-8")
    res = cli("import-records", EXPORTS / "wos_savedrecs.txt", EXPORTS / "scopus.ris", "--source", "WoS",
              "--source", "Scopus", "--data", data)
    assert res.returncode == 0, res.stderr
    return data


def log_on_disk(data) -> pd.DataFrame:
    return pd.read_csv(data / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)


def test_each_decision_is_on_disk_before_the_next_record_shows(tmp_path):
    data = review(tmp_path)
    s = Session(data)
    first = s.next()
    second = s.decide(first["record_id"], "include")
    assert log_on_disk(data).set_index("record_id").at[first["record_id"], "title"] == "include"
    third = s.decide(second["record_id"], "exclude", "off_topic")
    on_disk = log_on_disk(data).set_index("record_id")
    assert (on_disk.at[second["record_id"], "title"], on_disk.at[second["record_id"], "reason"]) == ("exclude", "off_topic")
    order = pd.read_csv(data / "raw" / "screening_order.csv", dtype=str, keep_default_na=False)
    assert order["record_id"].tolist() == [first["record_id"], second["record_id"]]
    assert order["decision"].tolist() == ["include", "exclude"] and order["trained_on"].tolist() == ["0", "1"]
    assert set(order["model"]) == {session_mod.model_name()}
    assert third["record_id"] not in order["record_id"].tolist()
    load_inputs(data)  # valid, with the new files
    status = cli("status", "--data", data).stdout
    assert "screen 16 records at title" in status and f"screen 1 record at abstract: {first['record_id']}" in status


def test_the_most_likely_relevant_record_comes_first(tmp_path):
    data = review(tmp_path)
    s = Session(data)
    titles = {r: s.record(r)["title"].lower() for r in s.queue()}
    trachoma = [r for r, t in titles.items() if "trachoma" in t]
    gut = [r for r, t in titles.items() if "bowel" in t or "gut" in t]  # five gut-brain papers among 18
    assert len(trachoma) >= 2 and len(gut) >= 4
    s.decide(trachoma[0], "include")
    s.decide(gut[0], "exclude", "off_topic")
    queue = s.queue()
    assert not set(queue[:5]) & set(gut)  # the gut-brain papers go to the end, like the one excluded
    assert set(queue[-3:]) <= set(gut)


def test_undo_and_maybe(tmp_path):
    data = review(tmp_path)
    s = Session(data)
    a = s.next()["record_id"]
    b = s.decide(a, "exclude", "off_topic")["record_id"]
    assert s.undo()["record_id"] == a
    assert log_on_disk(data).set_index("record_id").at[a, "title"] == ""
    after = s.decide(b, "maybe")
    assert after["record_id"] != b and s.queue()[-1] == b  # maybe: shown again at the end
    with pytest.raises(Exception, match="a decision of this session to undo"):
        Session(data).undo()


def test_a_command_run_meanwhile_is_seen_and_not_overwritten(tmp_path):
    data = review(tmp_path)
    s = Session(data)
    q = s.queue()
    assert cli("screen", "--stage", "title", "--include", q[5], "--data", data).returncode == 0
    s.decide(q[0], "include")
    on_disk = log_on_disk(data).set_index("record_id")
    assert on_disk.at[q[5], "title"] == "include" and on_disk.at[q[0], "title"] == "include"
    assert q[5] not in s.queue()


def test_a_crash_after_the_journal_is_written_loses_nothing(tmp_path, monkeypatch):
    data = review(tmp_path)
    s = Session(data)
    rid = s.next()["record_id"]
    import os

    rename = os.replace

    def power_cut(src, dst):  # the journal is written; the log's rename is where the power goes
        if str(dst).endswith("screening_log.csv"):
            raise KeyboardInterrupt("power cut")
        return rename(src, dst)

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        s.decide(rid, "include")
    monkeypatch.undo()
    assert (data / datafiles.JOURNAL).exists()
    assert cli("status", "--data", data).returncode == 0  # the next command finishes the write
    assert log_on_disk(data).set_index("record_id").at[rid, "title"] == "include"
    assert not (data / datafiles.JOURNAL).exists()


def test_blind_dual_screening_agrees_into_the_log_and_shows_conflicts(tmp_path):
    from pipeline.screening.workspace import Conflicts

    data = review(tmp_path)
    ana, bo = Session(data, reviewer="Ana"), Session(data, reviewer="Bo")
    q = ana.queue()
    ana.decide(q[0], "include")
    ana.decide(q[1], "exclude", "off_topic")
    assert log_on_disk(data).set_index("record_id").at[q[0], "title"] == ""  # one reviewer alone decides nothing
    assert q[0] in bo.queue()  # Bo does not see Ana's decisions
    bo.decide(q[0], "include")
    bo.decide(q[1], "include")
    on_disk = log_on_disk(data).set_index("record_id")
    assert on_disk.at[q[0], "title"] == "include" and on_disk.at[q[1], "title"] == ""
    view = Conflicts(data, stage="title")
    assert [r["record_id"] for r in view.rows] == [q[1]]
    assert {d["reviewer"]: d["decision"] for d in view.rows[0]["decisions"]} == {"Ana": "exclude", "Bo": "include"}
    assert view.agreement[0]["records"] == 2 and view.agreement[0]["percent_agreement"] == 50.0
    view._on_message(view, {"record_id": q[1], "decision": "exclude", "reason": "off_topic"}, [])
    assert log_on_disk(data).set_index("record_id").at[q[1], "title"] == "exclude" and view.rows == []


def test_stop_is_refused_until_the_rule_says_so_then_prisma_counts_the_records_not_screened(tmp_path):
    data = review(tmp_path)
    s = Session(data)
    for k in range(4):
        r = s.next()
        s.decide(r["record_id"], "include" if k == 0 else "exclude", "" if k == 0 else "off_topic")
    before = tree_digest(data)
    res = cli("screen", "--stop", "--stage", "title", "--data", data)
    assert res.returncode == 2 and "does not yet" in res.stderr and "--force" in res.stderr
    assert tree_digest(data) == before
    res = cli("screen", "--stop", "--stage", "title", "--force", "--data", data)
    assert res.returncode == 0 and "14 not screened" in res.stdout, res.stdout + res.stderr
    inp = load_inputs(data)
    stop = inp.screening_stop.iloc[0]
    assert (stop["screened"], stop["relevant_found"], stop["not_screened"]) == ("4", "1", "14")
    assert "stopped by the reviewer before the rule said so" in stop["evidence"]
    c = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    assert (c["excluded_automatic"], c["records_screened"], c["records_excluded"]) == (14, 4, 3)
    prisma.check(c)  # the boxes still add up
    assert "screen" not in cli("status", "--data", data).stdout.split("abstract")[0].split("To do:")[-1]


def test_a_screening_sheet_round_trip(tmp_path):
    data = review(tmp_path)
    sheet = tmp_path / "sheet.csv"
    res = cli("export-screening", "--sheet", "--out", sheet, "--data", data)
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    assert list(df.columns)[:5] == ["record_id", "stage", "reviewer", "decision", "reason"] and len(df) == 18
    assert df["title"].str.len().gt(0).all() and df["rank"].tolist() == [str(i) for i in range(1, 19)]
    df.loc[0, "decision"], df.loc[1, "decision"], df.loc[1, "reason"] = "include", "exclude", "off_topic"
    df.to_csv(sheet, index=False)
    res = cli("screen", sheet, "--data", data)
    assert res.returncode == 0 and "2 decisions" in res.stdout, res.stderr
    on_disk = log_on_disk(data).set_index("record_id")
    assert on_disk.at[df.loc[0, "record_id"], "title"] == "include" and on_disk.at[df.loc[1, "record_id"], "title"] == "exclude"


@pytest.mark.slow
def test_a_sheet_decided_from_the_top_counts_for_the_stopping_rule_in_rank_order(tmp_path):
    """A team screening in Excel gets the stopping rule too: the sheet's decided rows enter the order file
    by rank (whatever order the rows are in), once, and a plain decisions file does not."""
    data = review(tmp_path)
    sheet = tmp_path / "sheet.csv"
    assert cli("export-screening", "--sheet", "--out", sheet, "--data", data).returncode == 0
    df = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    df.loc[0, "decision"] = "include"
    df.loc[1:11, ["decision", "reason"]] = ["exclude", "off_topic"]
    df.iloc[::-1].to_csv(sheet, index=False)  # rows shuffled: the rank decides
    assert cli("screen", sheet, "--data", data).returncode == 0
    order = load_inputs(data).screening_order
    assert order["record_id"].tolist() == df["record_id"].head(12).tolist()
    assert order["position"].tolist() == [str(i) for i in range(1, 13)] and (order["trained_on"] == "").all()
    assert cli("screen", sheet, "--data", data).returncode == 0  # read back twice: nothing added
    assert len(load_inputs(data).screening_order) == 12
    res = cli("screen", "--stop", "--stage", "title", "--rule", "consecutive", "--consecutive", "10", "--data", data)
    assert res.returncode == 0 and "12 records screened, 6 not screened" in res.stdout, res.stdout + res.stderr
    stop = load_inputs(data).screening_stop.iloc[0]
    assert (stop["screened"], stop["relevant_found"]) == ("12", "1")
    # The ranked export: the six records nobody read are not labelled irrelevant.
    out = tmp_path / "ranked.ris"
    res = cli("export-screening", "--stage", "title", "--out", out, "--data", data)
    assert "12 decided" in res.stdout and "6 a stopping rule left unscreened" in res.stdout, res.stdout
    text = out.read_text()
    assert text.count("ASReview_not_seen (reason: not_screened)") == 6 and text.count("ASReview_irrelevant") == 11


@pytest.mark.slow
def test_decisions_without_an_order_are_named_when_the_rule_will_not_stop(tmp_path):
    data = review(tmp_path)
    ids = log_on_disk(data)["record_id"].tolist()
    assert cli("screen", "--stage", "title", "--exclude", *ids[:10], "--reason", "off_topic",
               "--data", data).returncode == 0
    res = cli("screen", "--stop", "--stage", "title", "--data", data)
    assert res.returncode == 2 and "10 decision(s) at 'title' came from the command line" in res.stderr


@pytest.mark.slow
def test_the_ranked_list_exports_as_ris_that_asreview_and_this_tool_read_back(tmp_path):
    from pipeline.search import records

    data = review(tmp_path)
    s = Session(data)
    first = s.next()["record_id"]
    s.decide(first, "include")
    out = tmp_path / "ranked.ris"
    assert cli("export-screening", "--out", out, "--data", data).returncode == 0
    text = out.read_text()
    assert text.startswith("TY  - JOUR") and text.count("ASReview_relevant") == 1
    assert text.count("ASReview_not_seen") == 17
    back = records.read_export(out, "X")
    assert back["label"].tolist()[0] == "1" and set(back["label"].tolist()[1:]) == {""}


@pytest.mark.slow
def test_rayyan_labels_become_each_reviewers_decisions(tmp_path):
    data = review(tmp_path)
    recs = pd.read_csv(data / "raw" / "records.csv", dtype=str, keep_default_na=False).head(3)
    votes = ['{"Ana"=>"Included", "Bo"=>"Excluded"}', '{"Ana"=>"Excluded", "Bo"=>"Excluded"}',
             '{"Ana"=>"Maybe"}']
    export = tmp_path / "rayyan.csv"  # written here in Rayyan's export layout (key, title, ..., notes)
    pd.DataFrame({"key": range(1, 4), "title": recs["title"], "authors": recs["authors"], "year": recs["year"],
                  "notes": [f"RAYYAN-INCLUSION: {v} | RAYYAN-LABELS: e-mentoring" for v in votes]}).to_csv(
        export, index=False)
    res = cli("screen", "--labels", export, "--reason", "off_topic", "--data", data)
    assert res.returncode == 0, res.stderr
    reviews = pd.read_csv(data / "raw" / "screening_reviews.csv", dtype=str, keep_default_na=False)
    assert len(reviews) == 5 and set(reviews["reviewer"]) == {"Ana", "Bo"}
    on_disk = log_on_disk(data).set_index("record_id")
    assert on_disk.at[recs["record_id"][1], "title"] == "exclude"  # both excluded: agreed
    assert on_disk.at[recs["record_id"][0], "title"] == ""  # a conflict waits


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(["--stop", "--stage", "title", "full_text", "--rule", "share", "consecutive",
                                      "--share", "2", "0.1", "--consecutive", "0", "--force", "--recall", "1",
                                      "--labels", "nowhere.csv", "--sheet", "--out", "x.txt"]), max_size=7))
def test_screening_commands_exit_0_or_2_and_refusals_change_nothing(tmp_path_factory, args):
    data = review(tmp_path_factory.mktemp("r"))
    before = tree_digest(data)
    for command in ("screen", "export-screening"):
        res = cli(command, *args, "--data", data)
        assert res.returncode in (0, 2) and "Traceback" not in res.stderr, res.stderr
        if res.returncode == 2:
            assert tree_digest(data) == before


def test_the_workspace_widget_sends_each_key_to_the_session(tmp_path):
    """The widget without a browser: what its keys send (see workspace.js) lands in the log; errors are shown."""
    from pipeline.screening.workspace import Workspace

    data = review(tmp_path)
    w = Workspace(data)
    assert w.reasons == [{"id": "off_topic", "label": "Off topic"}] and w.record["title"]
    first = w.record["record_id"]
    w._on_message(w, {"action": "include", "record_id": first}, [])
    second = w.record["record_id"]
    w._on_message(w, {"action": "exclude", "record_id": second, "reason": "off_topic"}, [])
    assert w.progress["screened"] == 2 and w.progress["included"] == 1 and w.message == ""
    on_disk = log_on_disk(data).set_index("record_id")
    assert (on_disk.at[first, "title"], on_disk.at[second, "title"]) == ("include", "exclude")
    w._on_message(w, {"action": "exclude", "record_id": w.record["record_id"], "reason": "no_such_reason"}, [])
    assert "reason" in w.message and w.busy is False  # refused, said, nothing written
    w._on_message(w, {"action": "undo"}, [])
    assert w.record["record_id"] == second and log_on_disk(data).set_index("record_id").at[second, "title"] == ""
    w._on_message(w, {"action": "stop"}, [])
    assert "does not yet" in w.message
    w._on_message(w, {"action": "stop", "force": True}, [])
    assert w.record is None and w.message.startswith("Screening stopped")
