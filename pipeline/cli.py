"""``pipeline …``: the one front door.  Bad input becomes a message and exit status 2."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from .errors import InputError

EXIT_BAD_INPUT = 2
DATA_HELP = "the review's data folder (default: data/)"
EXIT_FAILED = 1


def _output_folder(path: str) -> Path:
    """``--out``: a folder that is, or can be made, and can be written to; else exit 2 before any work."""
    import os

    out = Path(path)
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                raise InputError(p, "a folder for the outputs" + (" (this is a file)" if p == out else
                                                                   f" (a part of --out {path} is a file)"))
            if not os.access(p, os.W_OK | os.X_OK):
                raise InputError(p, "a folder you can write to (permission denied)")
            break
    return out


def _cmd_run(args) -> int:
    from .run import runner

    _output_folder(args.out)

    overrides = [(name, value) for name, value in args.param or []]
    result = runner.run(data_dir=args.data, out_dir=args.out, overrides=overrides, force=args.force, jobs=args.jobs)
    print(f"done: {len(result.timings)} notebooks run, {len(result.skipped)} unchanged; "
          f"outputs in {Path(args.out).resolve()}")
    return 0


def _cmd_validate(args) -> int:
    from .inputs import load_inputs

    inp = load_inputs(args.data)  # the article's claims too, when present
    print(f"{inp.data_dir}: every input file is valid")
    return 0


def _cmd_coder_agreement(args) -> int:
    """Two coders' REFI-QDA projects (or one project with two users): MAXQDA's and Krippendorff's measures."""
    from .coding.qda.read import codings_frame, read_qdpx
    from .reliability import intercoder, report

    paths = [Path(f) for f in args.file]
    if not 0 < args.overlap <= 100:
        raise InputError(None, f"--overlap between 0 and 100 percent (got {args.overlap})")
    if len(paths) > 2:
        raise InputError(", ".join(map(str, paths)), f"one project with two coders, or two projects (one per coder); "
                         f"got {len(paths)} files")
    projects = [read_qdpx(p) for p in paths]
    codings, lengths = codings_frame(projects)
    if len(paths) == 2:
        # Coders are the projects' users (<User name>).  Two files by one user name (each tool's default
        # user) are told apart by file; a file with several users keeps them all, named with their file,
        # so that nobody is merged into anybody.
        per_file = [sorted({c.coder for c in pr.codings}) for pr in projects]
        if per_file[0] == per_file[1] and len(per_file[0]) == 1:
            names = [[p.name] * len(pr.codings) for p, pr in zip(paths, projects)]
        elif all(len(u) == 1 for u in per_file):
            names = [[c.coder for c in pr.codings] for pr in projects]
        else:
            names = [[f"{c.coder} ({p.name})" for c in pr.codings] for p, pr in zip(paths, projects)]
        codings["coder"] = names[0] + names[1]
    try:
        res = intercoder.report(codings, lengths, args.coders, args.overlap)
    except ValueError as exc:
        raise InputError(", ".join(map(str, paths)), str(exc)) from None
    common = set(res["documents"].loc[(res["documents"]["count_a"] > 0), "document"]) & set(
        res["documents"].loc[(res["documents"]["count_b"] > 0), "document"])
    if not common:
        a, b = res["coders"]
        raise InputError(", ".join(map(str, paths)), f"documents both coders coded: {a} and {b} coded no document in "
                         f"common (documents are matched by their source name), so there is no agreement to compute")
    print(json.dumps(report.intercoder_json(res), indent=2, ensure_ascii=False) if args.json
          else report.intercoder_text(res))
    if args.reconcile:
        out = write_table_file(res["to_reconcile"], Path(args.reconcile))
        print(f"written: {out} ({len(res['to_reconcile'])} segment(s) to reconcile, least overlap first)",
              file=sys.stderr if args.json else sys.stdout)
    return 0


def write_table_file(df, out: Path) -> Path:
    """``df`` as CSV or XLSX (by the suffix), atomically; a wrong suffix or a missing folder is refused."""
    from .datafiles import write_table_atomic

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(out, "a .csv or .xlsx file to write")
    if not out.parent.is_dir():
        raise InputError(out, "a file in an existing folder")
    return write_table_atomic(df, out)


def _finite(value):
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _cmd_reliability(args) -> int:
    if args.bootstrap < 0:
        raise InputError(None, f"--bootstrap: 0 or more resamples (got {args.bootstrap})")
    if not 0 <= args.seed < 2**32:
        raise InputError(None, f"--seed: a whole number from 0 to 2^32 - 1 (got {args.seed})")
    if not -1 <= args.minimum <= 1:  # also refuses nan
        raise InputError(None, f"--minimum: an alpha between -1 and 1 (got {args.minimum})")
    from .reliability import files, report
    from .reliability.matrix import ReliabilityError
    from .reliability.summary import summary

    if any(str(f).lower().endswith(".qdpx") for f in args.file):
        return _cmd_coder_agreement(args)
    if len(args.file) != 1:
        raise InputError(None, "one CSV, TSV or XLSX file of reliability data (or one or two .qdpx projects)")
    args.file = args.file[0]
    matrix, unit_label = files.read_reliability_file(Path(args.file), args.format, args.unit)
    files.check_level(Path(args.file), args.format, matrix, args.level)
    try:
        result = summary(matrix, level=args.level, n_boot=args.bootstrap, seed=args.seed,
                                     minimum=args.minimum)
    except ReliabilityError as exc:
        raise InputError(args.file, str(exc)) from None
    result["unit_of_analysis"] = unit_label
    result["mode"] = files.mode_of(matrix)
    if args.json:  # valid JSON: a coefficient that is not defined is null, never a bare NaN
        print(json.dumps(_finite(result), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False))
    else:
        print(report.report(result, matrix))
    return 0


def _cmd_import_coded(args) -> int:
    from .coding.importing import import_coded

    written = import_coded([Path(f) for f in args.files], Path(args.data), replace=args.replace,
                                      say=print)
    print(f"written: {', '.join(written)} under {args.data}")
    return 0


def _cmd_export_qda(args) -> int:
    from .coding.qda.write import project_qdpx
    from .inputs import load_inputs

    inp = load_inputs(args.data)
    out = Path(args.output)
    if out.is_dir():
        raise InputError(out, "a file name for the project, such as coded.qdpx (this is a folder)")
    data = project_qdpx(inp.codebook, inp.segments, name=args.name, recoding=inp.recoding,
                        extra={"findings": inp.findings, "cerqual": inp.cerqual})
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InputError(out, f"a writable place for the project ({exc.strerror})") from None
    print(f"written: {out} ({len(inp.codebook)} codes, {inp.segments['study_id'].nunique()} text sources, "
          f"{len(inp.segments)} codings)")
    return 0


def _cmd_import_records(args) -> int:
    from .search.importing import import_records

    data = Path(args.data)
    summary = import_records([Path(f) for f in args.files], args.source if args.source else None, data,
                                       source_type=args.source_type, round_=args.round)
    for row in summary.per_file:
        print(f"{row['file']}: {row['detail']}")
    print(f"read {summary.read} records; {summary.already_present} already in the corpus; "
          f"added {summary.added} to the screening log (round {summary.round}); "
          f"flagged {summary.duplicates} as duplicates (review: {data / 'raw' / 'duplicates.csv'})")
    if summary.unscreened:
        print(f"{summary.unscreened} unscreened record(s) already in the log turned out to be duplicates and "
              f"left the log")
    if summary.skipped or summary.warnings:
        print(f"{summary.skipped} empty record(s) skipped, {summary.warnings} value(s) blanked; "
              f"every change is listed in {data / 'raw' / 'import_log.csv'}")
    return 0


def _cmd_init(args) -> int:
    from .run import scaffold

    files = scaffold.init(Path(args.dir), args.title, scaffold.parse_stages(args.stages), args.language or "")
    print(f"{args.dir}: a new review ({len(files)} files). Next: cd {args.dir} && make, then follow its README "
          f"from the first import to the supplement")
    return 0


def _cmd_screen(args) -> int:
    import pandas as pd

    from .screening import decisions

    if args.stop:
        return _screen_stop(args)
    if args.labels:
        return _screen_labels(args)
    named = [(d, ids) for d, ids in (("include", args.include), ("exclude", args.exclude),
                                     ("pending", args.pending)) if ids]
    if bool(args.file) == bool(named):
        raise InputError(None, "either a decisions file, or --stage with --include/--exclude/--pending record ids")
    if args.file:
        table, where = decisions.read_decisions(Path(args.file)), str(args.file)
    else:
        if not args.stage:
            raise InputError(None, "--stage for the records named on the command line (title, abstract, "
                                   "retrieval, full_text or quality)")
        rows = [{"record_id": r, "stage": args.stage, "decision": d, "reason": args.reason or "" if d == "exclude"
                 else ""} for d, ids in named for r in ids]
        table, where = pd.DataFrame(rows, columns=["record_id", "stage", "decision", "reason"]), "the command line"
        table["row"] = None
    result = decisions.screen(Path(args.data), table, where)
    print(f"{where}: {result.decisions} decisions, {result.changed} records changed in "
          f"{Path(args.data) / 'raw' / 'screening_log.csv'}")
    if result.studies_added or result.studies_removed:
        print(f"raw/studies.csv: {len(result.studies_added)} included studies added"
              + (f" ({', '.join(result.studies_added[:8])}{' …' if len(result.studies_added) > 8 else ''})"
                 if result.studies_added else "")
              + (f"; {len(result.studies_removed)} removed, no longer included ({', '.join(result.studies_removed)})"
                 if result.studies_removed else ""))
    return 0


def _cmd_simulate(args) -> int:
    from .datafiles import write_csv_atomic
    from .screening import simulate, stopping

    if not 0 < args.recall < 1 or not 0 < args.confidence < 1:
        raise InputError(None, "--recall and --confidence: numbers between 0 and 1 (e.g. 0.95)")
    records = simulate.read_labelled(Path(args.file))
    rule = stopping.Rule(recall=args.recall, confidence=args.confidence)
    print(f"{args.file}: {len(records)} records, {int(records['label'].sum())} relevant; screening from "
          f"{len(args.prior)} prior(s) with seed {args.seed}", flush=True)
    result = simulate.simulate(records, args.prior, seed=args.seed, rule=rule,
                               progress=lambda k, n: print(f"  {k:,} of {n:,} records screened", flush=True))
    out = Path(args.out)
    write_csv_atomic(result.order, out)
    m = result.metrics
    print(f"WSS@95 {m['wss95']:.3f}, WSS@100 {m['wss100']:.3f}; recall after 10% screened {m['recall_at_10']:.3f}, "
          f"after 25% {m['recall_at_25']:.3f}")
    said = (f"stopped at row {m['stop_row']:,} of {m['records']:,} ({m['stop_row'] / m['records']:.1%} screened), "
            f"recall {m['stop_recall']:.3f}" if m["rule_stopped"] else
            f"the rule never stopped: every record screened (row {m['stop_row']:,})")
    print(f"{m['stop_rule']}: {said}")
    print(f"written: {out} ({result.seconds:.1f} s)")
    return 0


def _screen_labels(args) -> int:
    from .inputs import load_inputs
    from .screening import decisions, exchange

    if args.file or args.include or args.exclude or args.pending:
        raise InputError(None, "--labels alone (no decisions file or record ids with it)")
    data = Path(args.data)
    log = load_inputs(data).screening_log
    stage = args.stage or next((s for s in ("title", "abstract", "retrieval", "full_text", "quality")
                                if s in log.columns), "title")
    table, said = exchange.labelled_decisions(data, Path(args.labels), stage, reviewer=args.reviewer or "",
                                              reason=args.reason or "")
    undecided = set(log.loc[log[stage].isin(["", "pending"]), "record_id"]) if stage in log.columns else set()
    fresh = table[(table["reviewer"] != "") | table["record_id"].isin(undecided)]
    if len(fresh):
        decisions.screen(data, fresh, str(args.labels))
    print(f"{args.labels}: {said['read']} records, {said['matched']} of them in this review "
          f"({said['unmatched']} not found by DOI or by title and year); {len(fresh)} decisions taken at '{stage}' "
          f"({len(table) - len(fresh)} on records already decided, left as they were; {said['unlabelled']} matched "
          f"records carry no label)")
    return 0


def _cmd_export_screening(args) -> int:
    from .screening import exchange

    out = Path(args.out)
    if args.sheet:
        df = exchange.sheet(Path(args.data), stage=args.stage, reviewer=args.reviewer or "", seed=args.seed)
        if out.suffix.lower() == ".ris":
            raise InputError(out, "a .csv or .xlsx file for a screening sheet")
        exchange.write(df, out)
        print(f"written: {out} ({len(df)} records waiting at '{df['stage'].iloc[0] if len(df) else args.stage}', most "
              f"likely relevant first; fill in decision and reason, then: pipeline screen {out})")
    else:
        df = exchange.ranked(Path(args.data), stage=args.stage, seed=args.seed)
        exchange.write(df, out)
        decided = int((df["decision"] != "").sum()) if len(df) else 0
        stopped = int(((df["decision"] == "") & (df["reason"] != "")).sum()) if len(df) else 0
        print(f"written: {out} ({len(df)} records: {decided} decided, then {len(df) - decided - stopped} waiting in "
              f"the model's order" + (f", then {stopped} a stopping rule left unscreened" if stopped else "") + ")")
    return 0


def _screen_stop(args) -> int:
    from .screening import stopping
    from .screening.session import Session

    if args.file or args.include or args.exclude or args.pending:
        raise InputError(None, "--stop alone with --stage (no decisions file or record ids with it)")
    rule = stopping.Rule(name=args.rule, recall=args.recall, confidence=args.confidence,
                         consecutive=args.consecutive, share=args.share)
    if not (0 < rule.recall < 1 and 0 < rule.confidence < 1 and 0 < rule.share <= 1 and rule.consecutive >= 1):
        raise InputError(None, "--recall, --confidence and --share between 0 and 1, --consecutive 1 or more")
    done = Session(Path(args.data), stage=args.stage).stop(rule, force=args.force)
    print(f"{rule.describe()}: {done['evidence']}")
    print(f"stopped screening at '{args.stage or 'the first stage with records waiting'}': {done['screened']} records "
          f"screened, {done['not_screened']} not screened (excluded as not screened; recorded in "
          f"{Path(args.data) / 'raw' / 'screening_stop.csv'})")
    return 0


def _cmd_prisma(args) -> int:
    from .publish import figures
    from .screening import prisma

    counts = prisma.read_csv(Path(args.file))
    out = _output_folder(args.out)
    figures.save_figure(figures.prisma2020(counts), out / "figures", "prisma2020")
    print(prisma.table(counts).to_string(index=False))
    print(f"written: {out / 'figures'}/prisma2020.{{svg,pdf,png}}")
    return 0


def _cmd_status(args) -> int:
    from .inputs import load_inputs
    from .run import status
    from .run.params import load_params
    from .run.project import PARAMS_FILE

    inp = load_inputs(args.data)
    for line in status.summary(inp):
        print(line)
    params = load_params(PARAMS_FILE) if PARAMS_FILE.is_file() else {}
    languages = str(params.get("languages") or "").split()
    for line in status.untranslated(inp, languages):
        print(line)
    return 0


def _cmd_supplement(args) -> int:
    from .publish.supplement.build import build

    _output_folder(args.out)
    folder, archive = build(Path(args.out), project=Path(args.project), draft=args.draft)
    print(f"written: {folder} and {archive}")
    return 0


def _cmd_verify(args) -> int:
    from .publish.supplement.verify import verify

    problems, n = verify(Path(args.path))
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        raise InputError(args.path, f"a supplement matching its MANIFEST.sha256; {len(problems)} "
                         f"problem(s) listed above")
    print(f"{args.path}: all {n} files match MANIFEST.sha256")
    return 0


def _cmd_diff(args) -> int:
    from .publish.diff import diff_report

    report = diff_report(Path(args.project), args.against)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(report)
    print(f"(written to {out})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Every command with its arguments and help (``pipeline -h``)."""
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="validate the data, run every notebook, write figures/, tables/, reports/")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.add_argument("--out", default=".", help="output root for figures/, tables/, reports/ (default: .)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="override a parameter of params.yml (repeatable)")
    p.add_argument("--force", action="store_true", help="re-run every notebook, even unchanged ones")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2, one per core here)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check every input file against its schema and stop")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("import-records", help="import search results (RIS, MEDLINE/nbib, Web of Science, EndNote XML, BibTeX, "
                       "CSV/TSV/XLSX) and deduplicate")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="a database export: RIS, MEDLINE/nbib, Web of Science, EndNote XML or tagged, BibTeX, CSV/TSV, XLSX")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="database or register the export came from, e.g. ERIC: once for all files, or once per "
                        "file in order (default: the name the file carries, e.g. RIS DB/DP, MEDLINE, Web of Science)")
    p.add_argument("--source-type", default="database",
                   choices=["database", "register", "website", "organisation", "citation"],
                   help="what the source is, for the PRISMA 2020 boxes (default: database)")
    p.add_argument("--round", type=int, default=None,
                   help="review round (default: the current one, or the next once every record has a decision)")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_import_records)

    p = sub.add_parser("init", help="create a new, empty review that runs: the tool, empty data files, params.yml, "
                                    "a datasheet, a Makefile and a README")
    p.add_argument("dir", metavar="DIR", help="a new or empty folder")
    p.add_argument("--title", default="A new qualitative evidence synthesis", help="the review's title")
    p.add_argument("--stages", default="title abstract full_text", metavar="STAGES",
                   help="the screening stages the review uses, in order, from title, abstract, retrieval, full_text, "
                        "quality (default: 'title abstract full_text')")
    p.add_argument("--language", metavar="CODE", help="also draw the article's figures and tables in this language "
                                                      "(fa: Persian, right to left); sets languages in params.yml")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("screen", help="record screening decisions in raw/screening_log.csv (from a spreadsheet, or "
                                      "for records named here); included records become studies")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="CSV/TSV/XLSX with columns record_id, stage, decision (include/exclude/pending), reason")
    p.add_argument("--stage", choices=["title", "abstract", "retrieval", "full_text", "quality"])
    p.add_argument("--include", nargs="+", metavar="RECORD", help="records included at --stage")
    p.add_argument("--exclude", nargs="+", metavar="RECORD", help="records excluded at --stage (needs --reason)")
    p.add_argument("--pending", nargs="+", metavar="RECORD", help="records left pending at --stage")
    p.add_argument("--reason", metavar="REASON_ID", help="reason_id of raw/exclusion_reasons.csv for --exclude")
    p.add_argument("--labels", metavar="EXPORT",
                   help="take the labels of an ASReview, Rayyan or Covidence export (any format import-records reads) "
                        "as decisions at --stage on the records of this review it matches (DOI, else title and year); "
                        "Rayyan's decisions keep their reviewers")
    p.add_argument("--reviewer", metavar="NAME",
                   help="--labels: the reviewer the labels are from (independent screening, raw/screening_reviews.csv)")
    p.add_argument("--stop", action="store_true",
                   help="end screening at --stage when the stopping rule says so: the records not yet screened are "
                        "excluded as not screened by a person, and the rule recorded (raw/screening_stop.csv)")
    p.add_argument("--rule", choices=["buscar", "consecutive", "share"], default="buscar",
                   help="--stop: buscar (Callaghan & Mueller-Hansen 2020, the default), consecutive irrelevant "
                        "records, or a share screened")
    p.add_argument("--recall", type=float, default=0.95, help="--rule buscar: recall target (default 0.95)")
    p.add_argument("--confidence", type=float, default=0.95, help="--rule buscar: confidence (default 0.95)")
    p.add_argument("--consecutive", type=int, default=100,
                   help="--rule consecutive: irrelevant records in a row (default 100)")
    p.add_argument("--share", type=float, default=0.5, help="--rule share: share of the records screened (default 0.5)")
    p.add_argument("--force", action="store_true", help="--stop although the rule does not say so (recorded as such)")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_screen)

    p = sub.add_parser("simulate", help="screen a labelled review with the prioritization model and the stopping "
                                        "rule; write the order and print WSS@95, WSS@100 and where it stopped")
    p.add_argument("file", metavar="LABELLED_FILE",
                   help="any export import-records reads, with labels (ASReview's label_included/included, or its RIS "
                        "notes); ids from its record_id column, else the 1-based record number")
    p.add_argument("--prior", action="append", required=True, metavar="RECORD_ID",
                   help="a record screened first, in the order given (repeatable; typically one relevant and one "
                        "irrelevant)")
    p.add_argument("--seed", type=int, default=0, help="seed of the model's tie-breaks (default 0)")
    p.add_argument("--recall", type=float, default=0.95, help="the stopping rule's recall target (default 0.95)")
    p.add_argument("--confidence", type=float, default=0.95, help="the stopping rule's confidence (default 0.95)")
    p.add_argument("--out", required=True, metavar="ORDER.csv",
                   help="where to write the order: record_id, label, stop (1 on the last record screened before "
                        "the rule stopped)")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("export-screening", help="the ranked list with the decisions so far (RIS with ASReview's labels, "
                                                "or CSV), or a screening sheet to decide in a spreadsheet (--sheet)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.ris, FILE.csv or (--sheet) FILE.xlsx")
    p.add_argument("--sheet", action="store_true",
                   help="the records waiting at --stage, most likely relevant first, with empty decision and reason "
                        "columns; read back with `pipeline screen FILE`")
    p.add_argument("--stage", choices=["title", "abstract", "retrieval", "full_text", "quality"],
                   help="the stage (default: the first with records waiting)")
    p.add_argument("--reviewer", metavar="NAME", help="--sheet: the reviewer who will fill it (independent screening)")
    p.add_argument("--seed", type=int, default=0, help="seed of the model's tie-breaks (default 0)")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_export_screening)

    p = sub.add_parser("prisma", help="draw the PRISMA 2020 diagram from a PRISMA2020 CSV of counts")
    p.add_argument("file", help="a PRISMA2020 CSV, as the PRISMA2020 R package and web app write it")
    p.add_argument("--out", default=".", help="output root: the diagram goes to OUT/figures/ (default: .)")
    p.set_defaults(func=_cmd_prisma)

    p = sub.add_parser("import-coded", help="import coded data: REFI-QDA .qdpx/.qdc or a CSV/XLSX of segments")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="a REFI-QDA project (.qdpx) or codebook (.qdc), or a CSV/TSV/XLSX of coded segments")
    p.add_argument("--replace", action="store_true",
                   help="the file's codes (and, for a .qdpx, its segments) replace the current ones; still refused "
                        "if re-coding rows would point at codes or segments that go")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_import_coded)

    p = sub.add_parser("export-qda", help="write the coded data as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, "
                                          "MAXQDA, QualCoder")
    p.add_argument("output", metavar="OUT.qdpx", help="the project file to write")
    p.add_argument("--name", default="qes-pipeline export", help="the project's name inside the file")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_export_qda)

    p = sub.add_parser("status", help="what the review needs next: records to screen at each stage, studies to code, roles to assign")
    p.add_argument("--data", default="data", help=DATA_HELP)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("supplement", help="build supplement/ and supplement.zip for the journal")
    p.add_argument("--out", default=".", help="folder that receives supplement/ and supplement.zip")
    p.add_argument("--project", default=".", help="project root with the outputs of the last run")
    p.add_argument("--draft", action="store_true",
                   help="build it although the review is not finished: supplement-draft/ and supplement-draft.zip, "
                        "marked as a draft")
    p.set_defaults(func=_cmd_supplement)

    p = sub.add_parser("verify", help="check a supplement (folder or zip) against its manifest")
    p.add_argument("path", help="a supplement folder or supplement.zip")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("diff", help="what changed against an earlier supplement or git revision (Markdown)")
    p.add_argument("--against", default="HEAD", help="a supplement folder or zip, or a git ref (default HEAD)")
    p.add_argument("--project", default=".", help="project root whose last run is compared (default: .)")
    p.add_argument("--output", default="reports/diff.md", help="where the report is written (default: reports/diff.md)")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("reliability", help="agreement coefficients for any coded data (CSV or XLSX), or between "
                                           "two coders' REFI-QDA projects (.qdpx)")
    p.add_argument("file", nargs="+", help="a CSV/TSV/XLSX file; or one .qdpx with two users, or two .qdpx files")
    p.add_argument("--overlap", type=float, default=90.0,
                   help="projects: minimum overlap in percent for two segments to agree (default 90, MAXQDA's)")
    p.add_argument("--coders", nargs=2, metavar=("A", "B"), help="projects: the two coders to compare")
    p.add_argument("--reconcile", metavar="FILE", help="projects: write the segments to reconcile, with both "
                   "coders' quotes, as FILE.csv or FILE.xlsx (least overlap first)")
    p.add_argument("--format", choices=["wide", "long"], default="wide",
                   help="wide: unit id then one column per coder; long: columns unit,coder,value")
    p.add_argument("--level", default="nominal", help="nominal (default), ordinal, interval or ratio")
    p.add_argument("--bootstrap", type=int, default=0, metavar="N", help="bootstrap resamples for 95%% intervals")
    p.add_argument("--seed", type=int, default=0, help="random seed for the bootstrap (default 0)")
    p.add_argument("--minimum", type=float, default=0.667, help="alpha minimum for q = P(alpha < minimum)")
    p.add_argument("--unit", default=None, help="unit of analysis to print (default: the unit column's name)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_reliability)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input becomes a message and exit 2, a failed notebook exit 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `pipeline status | head`: the reader has all it wanted; nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0
    except OSError as exc:  # a folder where a file was expected, a full disk, no permission: said, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 -- only the runner's notebook failures reach here
        from .run.execute import NotebookFailed

        if isinstance(exc, NotebookFailed):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        raise
