"""Jupyter kernels kept for a whole run: started while the runner validates, with the analysis'
modules already imported, and reset between the notebooks they execute.

Why: a fresh kernel per notebook costs about 0.7 s to start and 1.2 s to import pandas,
matplotlib, pandera and the pipeline; six notebooks paid that six times, more than the analysis
itself on the reference study.  With one kernel per worker the cost is paid once per worker, as
in a plain Python process.  Between notebooks a kernel is put back to how it was when the imports
had finished (``fresh``: empty namespace, execution count 1, figures closed; matplotlib's settings, pandas'
and numpy's options, warning filters, environment variables, random states, locale, working folder and
the package's own module attributes restored), so a notebook's output does not depend on which
notebook ran before it in the same kernel (tested: one kernel running all six notebooks gives the
same bytes as two, and as the committed outputs, which fresh kernels made).

The parent side (``Pool``, ``Kernel``) needs jupyter_client; the kernel side (``preload``,
``fresh``) runs inside the kernel and needs only the standard library.
"""

from __future__ import annotations

import functools
import os
import queue
import sys
import threading
import time
from typing import Callable, Iterable, Iterator


STARTUP_TIMEOUT = 60  # seconds for a kernel to answer after it is started
RESET_TIMEOUT = 30
_STATE: dict = {}


def preload(modules: list[str]) -> None:
    """Import what the notebooks will import, then remember the state ``fresh`` returns to.  A module
    that fails to import is left for the notebook's own cell to fail on, with its message there.
    matplotlib is always imported, so that its settings can be restored even for notebooks that import
    it themselves; settings a module changes on import are kept only for modules preloaded here (the
    runner preloads every pipeline module the notebooks import)."""
    import importlib

    for name in ["matplotlib", *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- the notebook reports it where it imports it
            pass
    import warnings

    import locale
    import random

    _STATE["cwd"] = os.getcwd()
    _STATE["filters"] = list(warnings.filters)
    _STATE["environ"] = dict(os.environ)
    _STATE["random"] = random.getstate()
    _STATE["locale"] = locale.setlocale(locale.LC_ALL)
    if "matplotlib" in sys.modules:
        _STATE["rc"] = dict(sys.modules["matplotlib"].rcParams)
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        _STATE["numpy"] = (np.get_printoptions(), np.random.get_state())
    # The package's own module attributes, as imported: what a notebook rebinds or fills is put back
    # (not the dunders, such as __builtins__, and not this module's own state).
    _STATE["modules"] = {
        name: (module, {k: v for k, v in vars(module).items() if not k.startswith("__")},
               {k: _copy(v) for k, v in vars(module).items() if not k.startswith("__") and isinstance(v, (dict, list, set))})
        for name, module in list(sys.modules.items()) if name.split(".")[0] == "pipeline" and name != __name__}


def _copy(value):
    return type(value)(value.items()) if isinstance(value, dict) else type(value)(value)


def fresh() -> None:
    """The kernel as ``preload`` left it, before the next notebook."""
    import warnings

    from IPython import get_ipython

    get_ipython().reset(new_session=True)  # the user namespace, Out, _, the history; execution count 1
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rc" in _STATE and "matplotlib" in sys.modules:
        dict.update(sys.modules["matplotlib"].rcParams, _STATE["rc"])  # as saved: no validation, no backend switch
    warnings.filters[:] = _STATE.get("filters", warnings.filters)
    with warnings.catch_warnings():  # entering and leaving invalidates every "shown once" registry
        pass
    if "cwd" in _STATE:
        os.chdir(_STATE["cwd"])
    if "environ" in _STATE:
        os.environ.clear()
        os.environ.update(_STATE["environ"])
    if "random" in _STATE:
        import locale
        import random

        random.setstate(_STATE["random"])
        locale.setlocale(locale.LC_ALL, _STATE["locale"])
    if "pandas" in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated options warn when reset
            sys.modules["pandas"].reset_option("all")
    if "numpy" in _STATE:
        np = sys.modules["numpy"]
        printing, state = _STATE["numpy"]
        np.set_printoptions(**printing)
        np.random.set_state(state)
    for module, attributes, contents in _STATE.get("modules", {}).values():
        names = vars(module)
        for name in [n for n in names if n not in attributes and not n.startswith("__")]:
            del names[name]
        names.update(attributes)
        for name, saved in contents.items():  # a dict, list or set filled in place: its contents back
            value = names[name]
            value.clear()
            value.update(saved) if not isinstance(value, list) else value.extend(saved)


@functools.cache
def _manager_class():
    from jupyter_client import AsyncKernelClient, AsyncKernelManager

    class Client(AsyncKernelClient):
        """Ready as soon as the kernel has answered kernel_info and its IOPub message for that request
        has come through (proof that the subscription is live).  jupyter_client's own wait also waits
        for 0.2 s of IOPub silence, every time: a second or more per run for nothing (nbclient ignores
        messages that answer other requests)."""

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            timeout = timeout or STARTUP_TIMEOUT
            deadline = time.monotonic() + timeout
            while True:
                msg_id = self.kernel_info()
                reply = await _answer(self.shell_channel, msg_id, 1.0)
                if reply is not None and await _answer(self.iopub_channel, msg_id, 0.25) is not None:
                    self._handle_kernel_info_reply(reply)
                    return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        wait_for_ready = _async_wait_for_ready  # the name nbclient calls (bound at class creation upstream)

    class Manager(AsyncKernelManager):
        """Hands out ``Client``s and remembers them: nbclient leaves their channels open when it does
        not own the kernel, so ``Kernel.release`` closes them after each notebook."""

        def __init__(self, **kwargs):
            super().__init__(client_factory=Client, **kwargs)

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_opened", []).append(kc)
            return kc

    return Manager


async def _answer(channel, msg_id: str, timeout: float):
    """The next message on ``channel`` that answers ``msg_id``, or None after ``timeout`` seconds."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = await channel.get_msg(timeout=left)
        except Empty:
            return None
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return msg
    return None


class Kernel:
    """One python3 kernel, owned by the thread that started it (its event loop is that thread's)."""

    def __init__(self, env: dict[str, str], extra_arguments: list[str], preload_modules: list[str]):
        self.env, self.extra_arguments, self.modules = env, extra_arguments, preload_modules
        self.km = None
        self.used = False

    def start(self) -> None:
        from jupyter_core.utils import run_sync

        self.km = _manager_class()(kernel_name="python3")
        run_sync(self.km.start_kernel)(env=self.env, extra_arguments=self.extra_arguments)
        self.used = False
        self._run(f"__import__('pipeline.run.kernels').run.kernels.preload({self.modules!r})", STARTUP_TIMEOUT)

    def _run(self, code: str, timeout: float) -> bool:
        """Execute ``code`` silently (no execution count, no history, output dropped); whether it succeeded."""
        from jupyter_core.utils import run_sync

        async def go():
            kc = self.km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
                reply = await _answer(kc.shell_channel, kc.execute(code, silent=True, store_history=False), timeout)
                return reply is not None and reply["content"]["status"] == "ok"
            finally:
                kc.stop_channels()
                self.km.__dict__.get("_opened", []).remove(kc)

        try:
            return run_sync(go)()
        except Exception:  # noqa: BLE001 -- a dead kernel: the caller restarts it
            return False

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and run_sync(self.km.is_alive)()

    def ready(self):
        """The kernel manager for the next notebook: reset if a notebook ran in it, restarted if it died
        or cannot be reset."""
        if not self.alive() or (self.used and not self._run("__import__('pipeline.run.kernels').run.kernels.fresh()",
                                                             RESET_TIMEOUT)):
            self.restart()
        self.used = True
        return self.km

    def release(self) -> None:
        """Close the channels of the clients opened for the notebook just run."""
        for kc in self.km.__dict__.pop("_opened", []) if self.km is not None else []:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 -- a channel of a dead kernel: nothing left to close
                pass

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        self.release()
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 -- already gone
            pass
        self.km = None


class Pool:
    """``size`` worker threads, each with a kernel that starts as soon as the pool is entered.
    ``map(fn, items)`` calls ``fn(item, kernel)`` on the workers and yields results as they finish;
    leaving the pool cancels what has not started and shuts the kernels down."""

    def __init__(self, size: int, env: dict[str, str] | None = None, extra_arguments: Iterable[str] = (),
                 preload_modules: Iterable[str] = ()):
        self.size = max(1, size)
        self.env = {**os.environ, **(env or {})}
        self.extra_arguments, self.modules = list(extra_arguments), list(preload_modules)
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.threads = [threading.Thread(target=self._work, name=f"kernel-{i}", daemon=True)
                        for i in range(self.size)]

    def __enter__(self) -> "Pool":
        import jupyter_client  # noqa: F401 -- here, once: two threads importing it at once can each
        import jupyter_core.utils  # noqa: F401 -- see the other half-initialized (a circular import)

        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._cancel()
        for _ in self.threads:
            self.tasks.put(None)
        for t in self.threads:
            t.join()

    def _work(self) -> None:
        kernel = Kernel(self.env, self.extra_arguments, self.modules)
        try:
            try:
                kernel.start()
            except Exception:  # noqa: BLE001 -- fn gets None and papermill starts its own (and reports why)
                kernel.shutdown()
                kernel = None
            while (task := self.tasks.get()) is not None:
                i, fn, item = task
                result, failure = None, None
                try:
                    result = fn(item, kernel)
                    if kernel is not None:
                        kernel.release()
                except BaseException as exc:  # noqa: BLE001 -- handed to the caller of map
                    failure = exc
                self.results.put((i, result, failure))  # always one answer per task: map never waits forever
        finally:
            if kernel is not None:
                kernel.shutdown()

    def map(self, fn: Callable, items: list) -> Iterator:
        """``fn(item, kernel)`` for each item, started in order; results as they finish.  After a failure
        nothing more starts, what is running finishes (and is yielded), then the failure is raised."""
        for i, item in enumerate(items):
            self.tasks.put((i, fn, item))
        expected, failure = len(items), None
        while expected:
            _, result, exc = self.results.get()
            expected -= 1
            if exc is None:
                yield result
            elif failure is None:
                failure = exc
                expected -= self._cancel()
        if failure is not None:
            raise failure

    def _cancel(self) -> int:
        """Drop the tasks that have not started; how many there were."""
        dropped = 0
        while True:
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                return dropped
            dropped += 1
