"""Open a page in headless Chromium and report what a reader would hit: broken images, console errors,
failed loads, and a screenshot.  Talks to Chromium over the DevTools protocol (websocket-client).

Chromium is Debian's ``chromium`` package; ``.ci/run`` installs it where it can (root with apt), and
the browser tests skip, saying so, where it is absent.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import shutil
import subprocess
import tempfile
import time
import urllib.request

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find() -> str | None:
    return next((p for p in map(shutil.which, NAMES) if p), None)


class Page:
    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > end:
                raise TimeoutError(event)
            self.events.append(json.loads(self.ws.recv()))


def inspect(url: str, width: int = 1280, height: int = 900) -> dict:
    """Load ``url``; return images that did not load, console errors, failed requests, hrefs, and a
    full-page PNG screenshot (bytes)."""
    exe = find()
    # Chromium's helper processes may still write to the profile as it shuts down: kill the whole group,
    # and let the clean-up pass over what they leave.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--disable-extensions", "--remote-debugging-port=0", f"--user-data-dir={profile}",
                                 f"--window-size={width},{height}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            port = None
            end = time.monotonic() + 60
            while port is None and time.monotonic() < end:
                line = proc.stderr.readline()
                m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
                port = m.group(1) if m else None
                if not line and proc.poll() is not None:
                    raise RuntimeError("chromium exited before it listened")
            targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
            page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
            for domain in ("Page", "Runtime", "Log", "Network"):
                page.send(f"{domain}.enable")
            page.send("Page.navigate", url=url)
            page.wait_for("Page.loadEventFired")
            probe = page.send("Runtime.evaluate", returnByValue=True, expression="""({
                broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
                images: document.images.length,
                hrefs: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
                ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
                height: document.documentElement.scrollHeight})""")["result"]["value"]
            shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                             clip={"x": 0, "y": 0, "width": width, "height": min(probe["height"], 6000), "scale": 1})
            errors = [e["params"] for e in page.events if e.get("method") == "Runtime.exceptionThrown"]
            errors += [e["params"] for e in page.events if e.get("method") == "Runtime.consoleAPICalled"
                       and e["params"].get("type") in ("error", "assert")]
            errors += [e["params"]["entry"] for e in page.events if e.get("method") == "Log.entryAdded"
                       and e["params"]["entry"].get("level") == "error"]
            failed = [e["params"] for e in page.events if e.get("method") == "Network.loadingFailed"]
            return {**probe, "errors": errors, "failed": failed, "screenshot": base64.b64decode(shot["data"])}
        finally:
            kill_group(proc)


def kill_group(proc: subprocess.Popen) -> None:
    """Kill a process started with ``start_new_session`` and everything it started, and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


class Browser:
    """Headless Chromium kept open for a test that drives a page (``with Browser() as page: ...``)."""

    def __init__(self, width: int = 1400, height: int = 1000):
        self.width, self.height = width, height

    def __enter__(self) -> "Page":
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self.proc = subprocess.Popen(
            [find(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile.name}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        port = None
        end = time.monotonic() + 60
        while port is None and time.monotonic() < end:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            port = m.group(1) if m else None
            if not line and self.proc.poll() is not None:
                raise RuntimeError("chromium exited before it listened")
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        self.page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime"):
            self.page.send(f"{domain}.enable")
        return self.page

    def __exit__(self, *exc):
        kill_group(self.proc)
        self._profile.cleanup()


def evaluate(page: Page, expression: str):
    """The value of a JavaScript expression in the page (awaited when it is a promise)."""
    res = page.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
    if "exceptionDetails" in res:
        raise RuntimeError(f"{expression}: {res['exceptionDetails'].get('text')}")
    return res["result"].get("value")


def wait_until(page: Page, expression: str, timeout: float = 120, every: float = 0.2):
    """Poll ``expression`` until it is truthy; its value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = evaluate(page, expression)
        except RuntimeError:
            value = None
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(expression)


def press(page: Page, key: str) -> None:
    """A key as the keyboard gives it to the focused element."""
    code = f"Key{key.upper()}" if key.isalpha() else f"Digit{key}"
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", type=kind, key=key, code=code, text=key if kind == "keyDown" else "",
                  windowsVirtualKeyCode=ord(key.upper()))
