"""One environment per lock, shared by every review (issue 22: each review built its own 870 MB .venv)."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from pipeline.run import environment


def test_the_environment_is_named_by_the_locks_and_the_python(tmp_path):
    a, b = tmp_path / "a.lock", tmp_path / "b.lock"
    a.write_text("x==1\n")
    b.write_text("uv==1\n")
    first = environment.lock_id(a, b)
    assert first == environment.lock_id(a, b) and len(first) == 16
    a.write_text("x==2\n")
    assert environment.lock_id(a, b) != first


def test_a_complete_environment_is_linked_not_built_again(tmp_path, monkeypatch, capsys):
    lock, uv_lock = tmp_path / "requirements.lock", tmp_path / "requirements-uv.lock"
    lock.write_text("x==1\n")
    uv_lock.write_text("uv==1\n")
    home = tmp_path / "envs"
    env = home / f"py{sys.version_info[0]}.{sys.version_info[1]}-{environment.lock_id(lock, uv_lock)}"
    (env / "bin").mkdir(parents=True)
    (env / environment.COMPLETE).write_text("{}")
    monkeypatch.setattr(environment, "build", lambda *a: (_ for _ in ()).throw(AssertionError("built again")))
    for review in ("one", "two"):
        old = tmp_path / review / ".venv"
        (old / "lib").mkdir(parents=True)  # a review's own environment from before: replaced by the link
        assert environment.ensure(old, lock, uv_lock, home) == env
        assert old.is_symlink() and old.resolve() == env.resolve()
    assert "shared by every review with the same lock" in capsys.readouterr().out


def test_the_pipeline_command_runs_the_pipeline_of_the_review_it_is_run_in(tmp_path):
    """The launcher in the shared environment finds the review from the folder it is run in."""
    launcher = tmp_path / "pipeline"
    launcher.write_text(environment.LAUNCHER.format(python=sys.executable))
    launcher.chmod(0o755)
    review = tmp_path / "review"
    (review / "pipeline").mkdir(parents=True)
    (review / "tool.mk").write_text("")
    (review / "pipeline" / "__init__.py").write_text("")
    (review / "pipeline" / "cli.py").write_text("import sys\ndef main():\n    print('the review', sys.argv[1:])\n    return 0\n")
    (review / "data").mkdir()
    out = subprocess.run([str(launcher), "status"], cwd=review / "data", capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.stdout.strip() == "the review ['status']"
    lost = subprocess.run([str(launcher), "status"], cwd=tmp_path, capture_output=True, text=True)
    assert lost.returncode != 0 and "run it in a review's folder" in lost.stderr


def test_this_checkouts_venv_is_the_shared_environment_of_its_lock():
    venv = ROOT / ".venv"
    if not venv.is_symlink():  # set up by another means (conda, a hand-made venv): nothing to check
        return
    assert Path(os.readlink(venv)).name.endswith(environment.lock_id(ROOT / "requirements.lock",
                                                                     ROOT / "requirements-uv.lock"))


def test_a_python_started_through_a_reviews_link_imports_that_reviews_package(tmp_path):
    """Plain `papermill` (and its kernels) run from any folder find the review whose .venv they came from."""
    import venv

    env = tmp_path / "env"
    venv.create(env, with_pip=False, symlinks=True)
    environment.add_review_path(env)
    environment.add_review_path(env)  # again: the file is not rewritten or doubled
    (pth,) = env.glob("lib/python3.*/site-packages/qes_review.pth")
    assert pth.read_text() == environment.REVIEW_PTH
    review = tmp_path / "review"
    (review / "pipeline").mkdir(parents=True)
    (review / "tool.mk").write_text("")
    (review / "pipeline" / "__init__.py").write_text("")
    (review / "pipeline" / "cli.py").write_text("")
    (review / ".venv").symlink_to(env, target_is_directory=True)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    code = "import pipeline, sys; print(pipeline.__file__)"
    out = subprocess.run([str(review / ".venv" / "bin" / "python"), "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, env=clean)
    assert out.stdout.strip() == str(review / "pipeline" / "__init__.py"), out.stderr
    direct = subprocess.run([str(env / "bin" / "python"), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env=clean)
    assert direct.returncode != 0 and "No module named 'pipeline'" in direct.stderr  # the environment is nobody's
