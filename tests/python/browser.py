"""A small headless-Chromium driver for the tests, over the DevTools protocol.

Starts Debian's ``chromium`` with ``--remote-debugging-port=0`` and talks to it with the
``websocket-client`` package: opens a page, collects console errors, uncaught exceptions and
every network request, evaluates JavaScript and takes screenshots (PNG bytes). Nothing is
downloaded; the browser runs with a throw-away profile and is killed on close.

    with Browser() as browser:
        page = browser.open("file:///tmp/report.html", ready="window.h2simRendered >= 3")
        page.errors, page.requests, browser.evaluate("document.title"), browser.screenshot()
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Page:
    url: str
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for


class Browser:
    def __init__(self, width: int = 1400, height: int = 1000, timeout: float = 60) -> None:
        import websocket  # websocket-client

        executable = find_chromium()
        if executable is None:
            raise RuntimeError("no chromium on PATH (Debian package `chromium`)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="h2sim-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
             "--disable-default-apps", "--disable-sync", "--metrics-recording-only", "--mute-audio",
             "--hide-scrollbars", f"--window-size={width},{height}", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = self._port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
                targets = json.load(reply)
            page = next(t for t in targets if t.get("type") == "page")
            self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout,
                                                      suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable")

    def _port(self) -> int:
        marker = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with status {self.process.returncode}")
            try:
                with open(marker, encoding="utf-8") as handle:
                    first = handle.readline().strip()
                if first:
                    return int(first)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    # --- the protocol ---------------------------------------------------------------------------
    def call(self, method: str, **params):
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"{method}: no answer")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, ready: str = "true", wait: float = 30) -> Page:
        """Navigates to url, waits for the load event and then for the JavaScript condition
        ``ready``; returns the Page with the errors and requests seen so far."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + wait
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self.evaluate("1")  # pumps events
            time.sleep(0.05)
        while not self.evaluate(f"Boolean({ready})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url}: `{ready}` did not become true")
            time.sleep(0.05)
        self.evaluate("new Promise(r => setTimeout(r, 200))")  # late console messages
        return self.page(url)

    def page(self, url: str) -> Page:
        page = Page(url)
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                page.errors.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                                          for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                page.errors.append("exception: " + str(details.get("exception", {}).get("description")
                                                       or details.get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                page.errors.append("log: " + params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                page.requests.append(params["request"]["url"])
        return page

    def screenshot(self, clip: dict | None = None) -> bytes:
        """A PNG of the page (the whole of it, or the clip {x, y, width, height} in page
        coordinates)."""
        params: dict = {"format": "png", "captureBeyondViewport": True}
        if clip is None:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            clip = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
        params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])

    def close(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            try:
                socket.close()
            except Exception:  # noqa: BLE001
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def png_pixels(png: bytes):
    """The PNG as a (height, width, channels) float array in [0, 1]."""
    import io

    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(png), format="png")
