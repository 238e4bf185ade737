"""The Python environment of a review: one per lock, shared by every review and supplement that pins the
same packages, instead of 870 MB in each.

``make`` runs this module with the system's Python, before any package is installed, so it uses the
standard library only.  The environment lives under ``$QES_ENV_HOME`` (default
``~/.cache/qes-pipeline/envs``), named after the Python version and a hash of ``requirements.lock``
and ``requirements-uv.lock``; a review's ``.venv`` is a link to it.  It is built once, under a lock
(two ``make`` at once: the second waits), from the hash-pinned lock with uv (pip as the fallback), and
marked complete only at the end, so a broken build is never used.  No review's package is installed
into it: a Python started through a review's link puts that review's folder on its path
(``REVIEW_PTH``), the ``pipeline`` command finds the review it is run in (``LAUNCHER``), and the
runner hands its kernels the review's folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

COMPLETE = ".complete"  # written last: the environment is whole
LAUNCHER = '''#!{python}
"""`pipeline COMMAND ...`: the pipeline of the review this is run in (the nearest folder, from here up,
that holds pipeline/cli.py and tool.mk), so one environment serves every review made with this lock."""
import sys
from pathlib import Path

here = Path.cwd()
for folder in (here, *here.parents):
    if (folder / "pipeline" / "cli.py").is_file() and (folder / "tool.mk").is_file():
        sys.path.insert(0, str(folder))
        break
else:
    sys.exit("pipeline: run it in a review's folder (one holding pipeline/ and tool.mk), or a folder below it")
from pipeline.cli import main

sys.exit(main())
'''
# Python runs the line of a .pth file that starts with "import" at start-up.  A review's Python is
# ``<review>/.venv/bin/python`` and its ``sys.prefix`` is ``<review>/.venv`` (the link, not its target),
# so this puts the review's own package on the path of every Python started through the link: plain
# ``papermill`` run from any folder, its kernels, ``python -m pipeline`` outside the review.
REVIEW_PTH = ("import os, sys; r = os.path.dirname(sys.prefix); "
              "os.path.isfile(os.path.join(r, 'pipeline', 'cli.py')) and os.path.isfile(os.path.join(r, 'tool.mk')) "
              "and r not in sys.path and sys.path.append(r)\n")


def env_home() -> Path:
    """Where the shared environments are kept."""
    if os.environ.get("QES_ENV_HOME"):
        return Path(os.environ["QES_ENV_HOME"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "qes-pipeline" / "envs"


def lock_id(*locks: Path) -> str:
    """What the environment is made of: the Python version and the locks' bytes."""
    digest = hashlib.sha256(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for lock in locks:
        digest.update(Path(lock).read_bytes())
    return digest.hexdigest()[:16]


def say(text: str) -> None:
    """A line of progress, as make's own lines start."""
    print(f"make: {text}", flush=True)


def build(env: Path, lock: Path, uv_lock: Path) -> None:
    """A new environment at ``env`` with exactly the packages of ``lock``, each file checked by hash."""
    shutil.rmtree(env, ignore_errors=True)
    say(f"setting up the environment {env} with Python {sys.version.split()[0]} (once for this lock; "
        f"a minute or two, about 900 MB)")
    venv.create(env, with_pip=True, symlinks=True)
    python = env / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--require-hashes", "--no-deps"]
    say("installing uv, the installer, from requirements-uv.lock")
    if subprocess.run([*pip, "--quiet", "-r", str(uv_lock)]).returncode == 0:
        say(f"installing the {count(lock)} pinned packages of requirements.lock with uv")
        done = subprocess.run([str(env / "bin" / "uv"), "pip", "install", "--python", str(python), "--require-hashes",
                               "--no-deps", "--compile-bytecode", "-r", str(lock)]).returncode == 0
    else:
        done = False
    if not done:
        say("uv could not install them; installing with pip instead (slower)")
        subprocess.run([*pip, "--progress-bar", "on", "-r", str(lock)], check=True)
    launcher = env / "bin" / "pipeline"
    launcher.write_text(LAUNCHER.format(python=python), encoding="utf-8")
    launcher.chmod(0o755)
    add_review_path(env)


def add_review_path(env: Path) -> None:
    """Put ``REVIEW_PTH`` into the environment's site-packages (again if an older build lacks it)."""
    for site in (env / "lib").glob("python3.*/site-packages"):
        pth = site / "qes_review.pth"
        if not pth.is_file() or pth.read_text(encoding="utf-8") != REVIEW_PTH:
            pth.write_text(REVIEW_PTH, encoding="utf-8")


def count(lock: Path) -> int:
    """How many packages a lock pins."""
    return sum(1 for line in Path(lock).read_text(encoding="utf-8").splitlines() if "==" in line and line[:1].isalnum())


def link(venv_path: Path, env: Path) -> None:
    """``venv_path`` (the review's .venv) as a link to ``env``; an old per-review environment goes."""
    if venv_path.is_symlink() or venv_path.is_file():
        venv_path.unlink()
    elif venv_path.is_dir():
        shutil.rmtree(venv_path)
    venv_path.symlink_to(env, target_is_directory=True)


def ensure(venv_path: Path, lock: Path, uv_lock: Path, home: Path | None = None) -> Path:
    """The shared environment for these locks, built if it is not yet, and ``venv_path`` linked to it."""
    home = home or env_home()
    home.mkdir(parents=True, exist_ok=True)
    env = home / f"py{sys.version_info[0]}.{sys.version_info[1]}-{lock_id(lock, uv_lock)}"
    if not (env / COMPLETE).exists():
        with open(home / f"{env.name}.lock", "w") as held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"another make is setting up {env}; waiting for it")
                fcntl.flock(held, fcntl.LOCK_EX)
            if not (env / COMPLETE).exists():
                build(env, lock, uv_lock)
                (env / COMPLETE).write_text(json.dumps({"python": sys.version.split()[0], "lock": lock_id(lock, uv_lock)}),
                                            encoding="utf-8")
    else:
        say(f"using the environment for this lock, {env} (shared by every review with the same lock)")
        add_review_path(env)
    link(Path(venv_path), env)
    return env


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.run.environment``: what ``make`` calls to set up ``.venv``."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.run.environment", description=__doc__)
    parser.add_argument("--venv", default=".venv")
    parser.add_argument("--lock", default="requirements.lock")
    parser.add_argument("--uv-lock", default="requirements-uv.lock")
    args = parser.parse_args(argv)
    try:
        ensure(Path(args.venv), Path(args.lock), Path(args.uv_lock))
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"make: the environment could not be set up: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
