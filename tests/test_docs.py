"""The docs cannot drift from the tool: every command shown in ``docs/`` is run, page by page.

A page's ```` ```console ```` blocks hold commands (``$ …``) and, below each, lines of what it prints:
each shown line must appear in what the command printed, in order (a line ``…`` stands for any
number of lines).  A command may fail only where the page shows its ``error:``.  A block opened
with ```` ```csv file=PATH ```` (any language) is a file the reader writes: the test writes it.

Each page runs as one shell script in a fresh workspace holding a copy of this repository as
``qes-pipeline/``, so ``cd``, ``source`` and relative paths behave as on the reader's machine.  Its
``.venv``, and a review's, is a stand-in whose ``python`` and ``pipeline`` run the Python these tests
run in on that folder's own copy of the package (building a real one takes minutes).  ``make`` in the tool's own folder is checked (``make -n``),
not run (it would set up an environment); in a review, ``make`` runs as written, with the stand-in.

The quick checks (``make test``) parse every command with the tool's own argument parser; the pages
themselves run under ``make test-all``.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^( *)```(\S*)([^\n]*)\n(.*?)^\1```[ \t]*$", re.M | re.S)  # also indented in a list
PROGRAMS = {"pipeline", ".venv/bin/pipeline", "make", "cd", "source", "cp", "ls", "unzip", "cat", "head", "git"}


def blocks(page: Path) -> list[tuple[str, str, str]]:
    """(language, attributes, body) of every fenced block of a page, in order."""
    out = []
    for m in FENCE.finditer(page.read_text(encoding="utf-8")):
        indent = len(m.group(1))
        body = "".join(line[indent:] if line[:indent].isspace() else line for line in m.group(4).splitlines(True))
        out.append((m.group(2), m.group(3).strip(), body))
    return out


def commands(body: str) -> list[tuple[str, list[str]]]:
    """(command, lines it is shown to print) of a console block; ``\\`` continues a command."""
    out: list[tuple[str, list[str]]] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            cmd = line[2:]
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd[:-1] + " " + lines[i].strip()
            out.append((cmd.strip(), []))
        elif out:
            out[-1][1].append(line)
        i += 1
    return out


def page_commands(page: Path) -> list[str]:
    return [cmd for lang, _, body in blocks(page) if lang == "console" for cmd, _ in commands(body)]


def file_attribute(attributes: str) -> str | None:
    m = re.search(r"\bfile=(\S+)", attributes)
    return m.group(1) if m else None


# --- quick: every command is one the tool knows, with arguments it accepts -------------------------

def test_docs_exist_with_a_tutorial_how_tos_and_a_reference():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"README.md", "tutorial.md", "reference/commands.md", "reference/formats.md"} <= names
    assert any(n.startswith("how-to/") for n in names) and any(n.startswith("design/") for n in names)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_every_command_shown_is_one_the_tool_accepts(page):
    from pipeline.cli import build_parser

    parser = build_parser()
    for cmd in page_commands(page):
        words = shlex.split(cmd)
        assert words[0] in PROGRAMS, f"{page.name}: `{cmd}` (add the program to PROGRAMS if it is meant)"
        if words[0].endswith("pipeline"):
            try:
                parser.parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"{page.name}: `{cmd}` is refused by the argument parser")
        if words[0] == "make":
            targets = re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M)
            scaffold = __import__("pipeline.run.scaffold", fromlist=["MAKEFILE"]).MAKEFILE
            targets += re.findall(r"^([a-z][\w-]*):", scaffold, re.M)
            assert all(w in targets or "=" in w for w in words[1:]), f"{page.name}: `{cmd}`: no such make target"


def test_the_command_reference_shows_every_command_with_its_options():
    """docs/reference/commands.md shows, for each command, what ``pipeline COMMAND -h`` prints: its usage,
    every option and every option's help.  Compared without white space (argparse wraps to the terminal,
    and lays options out a little differently from one Python to the next)."""
    from pipeline.cli import build_parser

    text = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8")
    squeeze = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    sections = {m.group(1): squeeze(m.group(2)) for m in re.finditer(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, re.M | re.S)}
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert name in sections, f"{name}: a section '## {name}' in docs/reference/commands.md"
        shown = sections[name]
        assert squeeze(command.format_usage()) in shown, f"{name}: its usage, as `pipeline {name} -h` prints it"
        for action in command._actions:
            for option in action.option_strings:
                assert option in shown, f"{name}: option {option}"
            if action.help and action.help != "show this help message and exit":
                assert squeeze(action.help % {"prog": command.prog}) in shown, f"{name}: the help of {action.dest}"


# --- slow: each page, run as written ---------------------------------------------------------------

STANDIN = """\
standin_venv() {{  # $1/.venv: runs this test's Python on the package in $1 (see the module docstring)
  [ -e "$1/.venv" ] && return
  mkdir -p "$1/.venv/bin"
  printf '#!/bin/sh\\nPYTHONPATH="%s" exec "%s" "$@"\\n' "$1" "{python}" > "$1/.venv/bin/python"
  printf '#!/bin/sh\\nPYTHONPATH="%s" exec "%s" -m pipeline "$@"\\n' "$1" "{python}" > "$1/.venv/bin/pipeline"
  chmod +x "$1/.venv/bin/python" "$1/.venv/bin/pipeline"
  printf 'export VIRTUAL_ENV="%s"\\nexport PATH="%s/bin:$PATH"\\n' "$1/.venv" "$1/.venv" > "$1/.venv/bin/activate"
  touch "$1/.venv-ready-{version}"
}}
make() {{
  if [ -f pipeline/cli.py ] && [ -d tests ]; then
    command make -n "$@" > /dev/null && echo "make $*: the tool is set up already (checked with make -n)"
  else standin_venv "$PWD" && command make PYTHON="{python}" "$@"; fi
}}
standin_venv "$PWD/qes-pipeline"
"""


def script(page: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """The page as one bash script, and its commands with what each is shown to print."""
    version = "%d.%d" % sys.version_info[:2]
    parts = [STANDIN.format(python=sys.executable, version=version), "cd qes-pipeline"]
    shown = []
    for lang, attributes, body in blocks(page):
        path = file_attribute(attributes)
        if path:
            parts.append(f"mkdir -p \"$(dirname {shlex.quote(path)})\" && cat > {shlex.quote(path)} <<'@@EOF'\n"
                         f"{body}@@EOF")
        elif lang == "console":
            for cmd, output in commands(body):
                n = len(shown)
                parts.append(f"echo '@@CMD {n}'\n{{ {cmd}\n}} 2>&1\necho \"@@EXIT {n} $?\"")
                shown.append((cmd, output))
    return "\n".join(parts) + "\n", shown


def workspace(tmp: Path) -> Path:
    """A copy of this repository (its tracked and new files) as ``tmp/qes-pipeline``, with this .venv."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    tool = tmp / "qes-pipeline"
    for rel in files:
        if (ROOT / rel).is_file():
            (tool / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tool / rel)
    return tmp


def _line_matches(want: str, line: str) -> bool:
    """``want`` in ``line``, where ``…`` inside ``want`` stands for any text."""
    at = 0
    for part in want.split("…"):
        found = line.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def matches(shown: list[str], printed: str) -> str | None:
    """None when every shown line appears in what was printed, in order; else the first that does not."""
    lines, at = printed.splitlines(), 0
    for want in shown:
        want = want.rstrip()
        if want in ("", "…"):
            continue
        while at < len(lines) and not _line_matches(want, lines[at]):
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if page_commands(p)],
                         ids=[p.relative_to(DOCS).as_posix() for p in PAGES if page_commands(p)])
def test_every_command_of_the_page_runs_as_shown(page, tmp_path):
    text, shown = script(page)
    res = subprocess.run(["bash", "-c", text], cwd=workspace(tmp_path), capture_output=True, text=True,
                         timeout=1200, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    out = res.stdout + res.stderr  # commands' own stderr is in stdout (2>&1), in order
    pieces = re.split(r"^@@CMD (\d+)\n", res.stdout, flags=re.M)
    printed = {int(pieces[i]): pieces[i + 1] for i in range(1, len(pieces) - 1, 2)}
    for n, (cmd, output) in enumerate(shown):
        assert n in printed, f"{page.name}: `{cmd}` never ran\n{out[-3000:]}"
        body, _, code = printed[n].rpartition(f"@@EXIT {n} ")
        code = int(code.split()[0])
        expects_error = any(line.startswith("error:") for line in output)
        assert code == 0 or expects_error, f"{page.name}: `{cmd}` exited {code}\n{body[-3000:]}\n{res.stderr[-3000:]}"
        missing = matches(output, body)
        assert missing is None, f"{page.name}: `{cmd}` did not print\n  {missing}\nit printed:\n{body[-3000:]}"
