"""``--by-file``: one line per test file as it finishes (what ran, how many passed, how long), instead of
a row of dots.  Works with pytest-xdist's ``--dist loadfile``, where each file runs whole on one worker:
a worker moving on to the next file means the last one is done."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest


def pytest_addoption(parser):
    parser.addoption("--by-file", action="store_true", help="one progress line per test file instead of dots")


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.getoption("--by-file") and not hasattr(config, "workerinput"):  # the controller only
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            config.pluginmanager.register(ByFile(terminal), "by-file")


class ByFile:
    """The plugin: counts outcomes per file and writes a file's line once its worker moves on."""

    def __init__(self, terminal):
        self.terminal = terminal
        self.current: dict[str, str] = {}  # worker -> the file it is running
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.started: dict[str, float] = {}  # a file's clock starts when its worker finished the one before
        self.last: dict[str, float] = {}  # worker -> time of its last report
        self.start = time.monotonic()

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report):
        """No dot per test (failures are still listed in the summary at the end)."""
        if report.when == "call" or report.outcome != "passed":
            return ("error" if report.when != "call" and report.failed else report.outcome), "", ""
        return "", "", ""

    def pytest_runtest_logreport(self, report):
        file = report.nodeid.split("::")[0]
        gateway = getattr(getattr(report, "node", None), "gateway", None)
        worker = gateway.id if gateway is not None else "main"
        if self.current.get(worker) not in (None, file):
            self._finish(self.current[worker], self.last[worker])
        self.current[worker] = file
        self.started.setdefault(file, self.last.get(worker, self.start))
        self.last[worker] = time.monotonic()
        if report.when == "call" or report.outcome != "passed":  # setup and teardown count when they fail or skip
            self.counts[file]["error" if report.when != "call" and report.failed else report.outcome] += 1

    def pytest_sessionfinish(self):
        for worker, file in list(self.current.items()):
            if file in self.counts:
                self._finish(file, self.last[worker])
        self.current.clear()

    def _finish(self, file: str, end: float) -> None:
        counts = self.counts.pop(file, Counter())
        said = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing run"
        seconds = end - self.started.pop(file, end)
        self.terminal.write_line(f"  {file:<48} {said:<22} {seconds:5.1f} s")
