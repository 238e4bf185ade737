
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from pipeline import runner
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
    assert [p.name for p in runner.discover(tmp_path)] == ["01_z.ipynb", "02_a.ipynb", "10_b.ipynb"]


def test_params_overrides_are_typed_and_checked(tmp_path):
    f = tmp_path / "params.yml"
    f.write_text("a: 1\nb: x\n")
    assert runner.load_params(f, [("a", "2.5"), ("b", "true")]) == {"a": 2.5, "b": True}
    with pytest.raises(InputError, match="unknown parameter"):
        runner.load_params(f, [("c", "1")])
    with pytest.raises(InputError, match="--data"):
        runner.load_params(f, [("data_dir", "x")])


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
    with pytest.raises(runner.NotebookFailed) as err:
        runner.run(DATA, out, notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lines.append)
    assert err.value.notebook == "02_bad" and err.value.cell == 3  # 1-based, in the source notebook
    assert "raise ValueError" in str(err.value)
    assert "ValueError" in str(err.value) and "broken on purpose" in str(err.value)
    assert len(lines) == 1 and lines[0].split()[1] == "01_ok"
    assert {k: v for k, v in tree_digest(out).items() if not k.startswith(".failed")} == before
    assert not (out / runner.STAGING).exists()


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
    for nb_path in runner.discover(ROOT / "notebooks"):
        nb = nbformat.read(nb_path, as_version=4)
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), nb_path
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
        assert {"data_dir", "out_dir"} <= set(runner.declared_parameters(nb_path))


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
    staging = out / runner.STAGING
    for sub in runner.OUTPUT_DIRS:
        (out / sub).mkdir(parents=True)
        (out / sub / "x").write_text("old")
        (staging / sub).mkdir(parents=True)
        (staging / sub / "x").write_text("new")
    real_rename, calls = pathlib.Path.rename, []

    def dying(self, target):
        calls.append(self)
        if len(calls) == 3:  # after figures/ went aside and the new one came in, before tables/
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(pathlib.Path, "rename", dying)
    with pytest.raises(KeyboardInterrupt):
        runner._swap_into_place(staging, out)
    monkeypatch.setattr(pathlib.Path, "rename", real_rename)
    assert (out / runner.SWAP_JOURNAL).exists()
    runner._finish_swap(staging, out)  # what the next run does first, under the folder's lock
    assert {sub: (out / sub / "x").read_text() for sub in runner.OUTPUT_DIRS} == {s: "new" for s in runner.OUTPUT_DIRS}
    assert not (out / runner.SWAP_JOURNAL).exists() and not (staging / ".old").exists()


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
    assert sorted(r[0].count("skipped (unchanged)") for r in results) == [0, len(runner.discover(runner.NOTEBOOK_DIR))]


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


def test_a_kernel_that_dies_before_its_first_cell_is_started_once_more(tmp_path, monkeypatch):
    """A kernel start-up failure (seen once in CI, a traceback before any cell ran) is retried once;
    a cell that raises is not retried."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_ok.ipynb", "from pathlib import Path\n(Path(out_dir) / 'tables' / 'x.csv').write_text('x')")
    real, calls, deaths = runner._execute, [], [1]

    def flaky(notebook, output, parameters):
        calls.append(notebook.name)
        if deaths:
            deaths.pop()
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(notebook, output, parameters)

    monkeypatch.setattr(runner, "_execute", flaky)
    runner.run(DATA, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None)
    assert calls == ["01_ok.ipynb", "01_ok.ipynb"] and (tmp_path / "out" / "tables" / "x.csv").read_text() == "x"
    write_nb(nbs / "02_bad.ipynb", "raise ValueError('broken on purpose')")
    calls.clear()
    with pytest.raises(runner.NotebookFailed):
        runner.run(DATA, tmp_path / "out", notebook_dir=nbs, params_file=tmp_path / "none.yml", echo=lambda s: None)
    assert calls.count("02_bad.ipynb") == 1
