
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from pipeline.run import cache
from pipeline.run import execute
from pipeline.run import params
from pipeline.run import project
from pipeline.run import reports
from pipeline.run import runner
from pipeline.run import staging
from pipeline.errors import InputError

from conftest import DATA, ROOT, tree_digest


def write_nb(path, *sources, params="data_dir = ''\nout_dir = ''"):
    nb = new_notebook()
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_discover_sorts_numbered_notebooks_only(tmp_path):
    for name in ("10_b.ipynb", "02_a.ipynb", "scratch.ipynb", "01_z.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in project.discover(tmp_path)] == ["01_z.ipynb", "02_a.ipynb", "10_b.ipynb"]


def test_params_overrides_are_typed_and_checked(tmp_path):
    f = tmp_path / "params.yml"
    f.write_text("a: 1\nb: x\n")
    assert params.load_params(f, [("a", "2.5"), ("b", "true")]) == {"a": 2.5, "b": True}
    with pytest.raises(InputError, match="unknown parameter"):
        params.load_params(f, [("c", "1")])
    with pytest.raises(InputError, match="--data"):
        params.load_params(f, [("data_dir", "x")])


def test_failing_cell_names_notebook_and_cell_and_keeps_previous_outputs(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_ok.ipynb", "from pathlib import Path\n(Path(out_dir) / 'tables' / 'x.csv').write_text('new')")
    write_nb(nbs / "02_bad.ipynb", "x = 1", "raise ValueError('broken on purpose')")
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "x.csv").write_text("old")
    before = tree_digest(out)
    lines = []
    with pytest.raises(execute.NotebookFailed) as err:
        runner.run(DATA, out, notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lines.append)
    assert err.value.notebook == "02_bad" and err.value.cell == 3  # 1-based, in the source notebook
    assert "raise ValueError" in str(err.value)
    assert "ValueError" in str(err.value) and "broken on purpose" in str(err.value)
    progress = [line for line in lines if line.startswith("[")]  # a test beside it may make the run wait (said)
    assert len(progress) == 1 and progress[0].split()[1] == "01_ok"
    assert {k: v for k, v in tree_digest(out).items() if not k.startswith(".failed")} == before
    assert not (out / staging.STAGING).exists()


def test_parameters_reach_the_notebook_and_outputs_are_recorded(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_p.ipynb", "from pathlib import Path\n(Path(out_dir) / 'tables' / 'p.txt').write_text(str(k))",
             params="data_dir = ''\nout_dir = ''\nk = 1")
    params = tmp_path / "params.yml"
    params.write_text("k: 5\n")
    out = tmp_path / "out"
    res = runner.run(DATA, out, overrides=[("k", "7")], notebook_dir=nbs, params_file=params, echo=lambda s: None)
    assert (out / "tables" / "p.txt").read_text() == "7"
    assert res.outputs["01_p"] == ["tables/p.txt"]
    assert (out / "reports" / "01_p.html").exists()


def test_reference_notebooks_declare_parameters_and_are_clean():
    for nb_path in project.discover(ROOT / "notebooks"):
        nb = nbformat.read(nb_path, as_version=4)
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), nb_path
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
        assert {"data_dir", "out_dir"} <= set(params.declared_parameters(nb_path))


@pytest.mark.slow
@pytest.mark.parametrize("cwd", ["root", "notebooks", "elsewhere"])
def test_plain_papermill_finds_the_project_from_any_folder(tmp_path, cwd):
    """`papermill notebooks/01_screening.ipynb out.ipynb -p ...` as papermill's docs show it (issue 13)."""
    import subprocess
    import sys

    folder = {"root": ROOT, "notebooks": ROOT / "notebooks", "elsewhere": tmp_path}[cwd]
    out = tmp_path / "run"
    res = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "01_screening.ipynb"),
                          str(tmp_path / "01.ipynb"), "-p", "quality_min_yes", "6", "-p", "out_dir", str(out),
                          "--no-progress-bar"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-1500:]
    assert (out / "tables" / "prisma2020.csv").exists()


def test_a_swap_interrupted_between_renames_is_completed_by_the_next_run(tmp_path, monkeypatch):
    """Issue 11: a crash between the renames must not leave figures/ missing or new figures beside old tables."""
    import pathlib

    out = tmp_path / "out"
    staged = out / staging.STAGING
    for sub in staging.OUTPUT_DIRS:
        (out / sub).mkdir(parents=True)
        (out / sub / "x").write_text("old")
        (staged / sub).mkdir(parents=True)
        (staged / sub / "x").write_text("new")
    real_rename, calls = pathlib.Path.rename, []

    def dying(self, target):
        calls.append(self)
        if len(calls) == 3:  # after figures/ went aside and the new one came in, before tables/
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(pathlib.Path, "rename", dying)
    with pytest.raises(KeyboardInterrupt):
        staging.swap_into_place(staged, out)
    monkeypatch.setattr(pathlib.Path, "rename", real_rename)
    assert (out / staging.SWAP_JOURNAL).exists()
    staging.finish_swap(staged, out)  # what the next run does first, under the folder's lock
    assert {sub: (out / sub / "x").read_text() for sub in staging.OUTPUT_DIRS} == {s: "new" for s in staging.OUTPUT_DIRS}
    assert not (out / staging.SWAP_JOURNAL).exists() and not (staged / ".old").exists()


@pytest.mark.slow
def test_two_runs_on_one_output_folder_wait_for_each_other(tmp_path):
    """Issue 11: they shared .run-staging and both failed; now the second waits for the first."""
    import subprocess
    import sys

    from conftest import ROOT

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "run", "--out", str(out)]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=900) + (p.returncode,) for p in (first, second)]
    assert [r[2] for r in results] == [0, 0], [r[1] for r in results]
    assert sorted(r[0].count("skipped (unchanged)") for r in results) == [0, len(project.discover(project.NOTEBOOK_DIR))]


@pytest.mark.slow
def test_a_run_waits_for_an_import_holding_the_data_folder(tmp_path):
    """Issue 11: a run reads the data under a shared lock, so it never sees half of an import."""
    import fcntl
    import os
    import shutil
    import threading
    import time

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_read.ipynb", "from pathlib import Path\n"
             "(Path(out_dir) / 'tables' / 'n.txt').write_text((Path(data_dir) / 'raw' / 'studies.csv').read_text())")
    fd = os.open(data, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what an import holds while it writes
    lines, done = [], []
    worker = threading.Thread(target=lambda: done.append(runner.run(
        data, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lines.append)))
    worker.start()
    time.sleep(1.0)
    assert worker.is_alive() and not done and any("waiting" in line for line in lines)
    studies = data / "raw" / "studies.csv"  # the import's change lands before the run reads
    studies.write_text(studies.read_text().replace("Neely", "Neeley"))
    expected = studies.read_text()
    assert "Neeley" in expected
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    worker.join(timeout=300)
    assert done and (tmp_path / "out" / "tables" / "n.txt").read_text() == expected


@pytest.mark.slow
def test_a_kernel_that_dies_before_its_first_cell_is_started_once_more(tmp_path, monkeypatch):
    """A kernel start-up failure (seen once in CI, a traceback before any cell ran) is retried once;
    a cell that raises is not retried."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_ok.ipynb", "from pathlib import Path\n(Path(out_dir) / 'tables' / 'x.csv').write_text('x')")
    real, calls, deaths = execute.execute, [], [1]

    def flaky(notebook, output, parameters, km=None):
        calls.append(notebook.name)
        if deaths:
            deaths.pop()
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(notebook, output, parameters, km)

    monkeypatch.setattr(runner, "execute", flaky)
    runner.run(DATA, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None)
    assert calls == ["01_ok.ipynb", "01_ok.ipynb"] and (tmp_path / "out" / "tables" / "x.csv").read_text() == "x"
    write_nb(nbs / "02_bad.ipynb", "raise ValueError('broken on purpose')")
    calls.clear()
    with pytest.raises(execute.NotebookFailed):
        runner.run(DATA, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None)
    assert calls.count("02_bad.ipynb") == 1


@pytest.mark.slow
def test_a_kept_kernel_starts_each_notebook_as_a_fresh_one_would(tmp_path):
    """Issue 12: notebooks share a kernel per worker; nothing one leaves behind reaches the next."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_dirty.ipynb",
             "import os, warnings, matplotlib\nleak = 1\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
             "os.chdir('/')\nwarnings.simplefilter('ignore')",
             "import warnings\nwarnings.warn('once', UserWarning)",
             # issue 22: pandas and numpy options, the environment, random states, locale, module attributes
             "import locale, random, numpy as np, pandas as pd\nfrom pipeline.publish import figures\n"
             "pd.set_option('display.max_colwidth', 12)\nnp.set_printoptions(precision=2)\nos.environ['LEAK'] = '1'\n"
             "random.seed(1)\nnp.random.seed(1)\nlocale.setlocale(locale.LC_ALL, 'C.UTF-8')\nfigures.DPI = 10\n"
             "figures.COLORS['stage'] = '#000000'\nfigures.NEW_NAME = 1")
    write_nb(nbs / "02_look.ipynb",
             "import os, warnings, matplotlib, locale, random, numpy as np, pandas as pd\nfrom pathlib import Path\n"
             "from pipeline.publish import figures\n"
             "seen = dict(leak='leak' in globals(), linewidth=matplotlib.rcParams['lines.linewidth'], cwd=os.getcwd(),"
             " out=list(Out) if 'Out' in globals() else [], colwidth=pd.get_option('display.max_colwidth'),"
             " precision=np.get_printoptions()['precision'], env=os.environ.get('LEAK'),"
             " locale=locale.setlocale(locale.LC_ALL), dpi=figures.DPI, stage=figures.COLORS['stage'],"
             " new=hasattr(figures, 'NEW_NAME'), seeded=(random.random(), float(np.random.rand())))\n"
             "random.seed(1)\nnp.random.seed(1)\nseen['seeded'] = seen['seeded'] == (random.random(), float(np.random.rand()))\n"
             "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('default')\n"
             "    warnings.warn('once', UserWarning)\nseen['warned'] = len(w)\n"
             "(Path(out_dir) / 'tables' / 'seen.txt').write_text(repr(sorted(seen.items())))")
    out = tmp_path / "out"
    runner.run(DATA, out, notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None, jobs=1)
    from pipeline.publish import figures

    started = subprocess.run([sys.executable, "-c", "import locale; print(locale.setlocale(locale.LC_ALL))"],
                             capture_output=True, text=True).stdout.strip()  # what a new kernel starts with
    fresh = dict(leak=False, linewidth=1.5, cwd=str(ROOT), out=[], warned=1, colwidth=50, precision=8, env=None,
                 locale=started, dpi=figures.DPI, stage=figures.COLORS["stage"], new=False, seeded=False)
    assert (out / "tables" / "seen.txt").read_text() == repr(sorted(fresh.items()))
    executed = nbformat.read(out / "reports" / "02_look.ipynb", as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]


def test_consecutive_printed_pieces_are_one_output():
    """The kernel may flush a print's text and its end of line apart; the executed notebook must not show it."""
    outs = [{"output_type": "stream", "name": "stdout", "text": "a"}, {"output_type": "stream", "name": "stdout", "text": "\n"},
            {"output_type": "stream", "name": "stderr", "text": "e"}, {"output_type": "display_data", "data": {}},
            {"output_type": "stream", "name": "stdout", "text": "b\n"}]
    assert [o.get("text") for o in reports._joined_streams(outs)] == ["a\n", "e", None, "b\n"]


def test_long_notebooks_start_first_when_their_seconds_are_known(tmp_path):
    f = tmp_path / runner.SECONDS_FILE
    names = ["01_a", "02_b", "03_c", "04_new"]
    assert runner._longest_first(names, f) == names  # no earlier run: in order
    runner._save_seconds(f, {"01_a": 1.0, "02_b": 5.0, "03_c": 2.5})
    assert runner._longest_first(names, f) == ["04_new", "02_b", "03_c", "01_a"]  # unknown first
    f.write_text("not json")
    assert runner._longest_first(names, f) == names
    f.unlink()
    f.mkdir()  # not even a file: ignored, and not fatal to the run that writes it
    runner._save_seconds(f, {"01_a": 1.0})
    assert runner._longest_first(names, f) == names and not (tmp_path / (f.name + ".tmp")).exists()


def test_setup_takes_the_runners_validated_inputs_and_notes_what_is_read(tmp_path, monkeypatch):
    """Inputs are validated once per run: a kernel the runner started unpickles them and records reads."""
    from pipeline import inputs as inputs_mod
    from pipeline.run import notebook
    from pipeline.run import reads

    inputs = inputs_mod.load_inputs(DATA)
    runner._dump(inputs, tmp_path / "inputs.pickle")
    monkeypatch.setenv(reads.VALIDATED_ENV, str(tmp_path / "inputs.pickle"))
    monkeypatch.setattr(notebook, "load_inputs", lambda d: pytest.fail("validated twice"))
    got, _, _ = notebook.setup(str(DATA), str(tmp_path / "out"), uses=("codes",))
    assert got.codebook.equals(inputs.codebook)
    got.segments, got.segments, got.criteria  # noqa: B018 -- reads
    # The codebook for uses=("codes",); what says whether the review is a draft (its outputs are marked
    # so); then the criteria, read here once however often.
    draft_state = ["raw/screening_log.csv", "raw/studies.csv", "coded/segments.csv", "reference/article.yml"]
    assert (tmp_path / "out" / reads.READS_FILE).read_text().split() == ["coded/codebook.csv", *draft_state,
                                                                          "raw/criteria.csv"]
    got.data_dir  # noqa: B018 -- the folder itself: any file
    assert cache.recorded_reads(tmp_path / "out") == sorted(["*", "coded/codebook.csv", *draft_state, "raw/criteria.csv"])
    assert cache.data_read(["*"], {"a": "1"}) == {"a": "1"}
    assert cache.data_read(["raw/x.csv"], {"a": "1"}) == {"raw/x.csv": "absent"}
    monkeypatch.setattr(notebook, "load_inputs", inputs_mod.load_inputs)
    monkeypatch.setenv(reads.VALIDATED_ENV, str(tmp_path / "inputs.pickle"))
    other = tmp_path / "other"  # inputs of another folder are not taken
    import shutil

    shutil.copytree(DATA, other)
    assert notebook.setup(str(other), str(tmp_path / "o2"))[0].data_dir == other


def test_the_modules_a_notebook_imports_are_followed_in_every_import_form():
    """They are part of its key and are preloaded into the kept kernels."""
    deps = cache.module_dependencies("import pipeline.screening.log as s\nfrom pipeline.run.notebook import setup\n"
                                     "from pipeline.screening import (\n    prisma,\n)\n!ls\n")
    assert {"pipeline", "pipeline.screening", "pipeline.screening.log", "pipeline.screening.prisma",
            "pipeline.run.notebook", "pipeline.run.reads", "pipeline.inputs", "pipeline.schemas",
            "pipeline.coding.codebook"} <= set(deps)  # followed through relative imports in the package
    assert "pipeline.publish.figures" not in deps and cache.module_dependencies("import pandas\n") == ["pipeline"]
    assert all(cache.module_file(m, cache.PROJECT_ROOT / "pipeline") for m in deps)


def test_without_a_kept_kernel_papermill_starts_its_own(tmp_path, monkeypatch):
    """A kernel the pool cannot start is not fatal: the notebook runs as before, its reads unknown."""
    from pipeline.run import kernels

    def broken(self):
        raise RuntimeError("no kernel here")

    monkeypatch.setattr(kernels.Kernel, "start", broken)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_ok.ipynb", "from pathlib import Path\n(Path(out_dir) / 'tables' / 'x.csv').write_text('x')")
    runner.run(DATA, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None)
    assert (tmp_path / "out" / "tables" / "x.csv").read_text() == "x"
    assert cache.read_run_record(tmp_path / "out")["notebooks"]["01_ok"]["reads"] == ["*"]


def test_a_run_with_nothing_to_do_loads_no_pandas():
    """The no-op run takes 0.1 s because the runner imports pandas and pandera only when it must check data."""
    import subprocess
    import sys

    code = "import sys, pipeline.cli, pipeline.run.runner; print(sorted({'pandas', 'pandera'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
