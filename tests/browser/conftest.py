"""Browser tests: Debian's Chromium, driven by Playwright, against the demo's app served on 127.0.0.1.

In CI (``CI=true``) they must run: a missing /usr/bin/chromium fails them. Elsewhere they skip, saying why.
Every request the page makes is checked: one that leaves 127.0.0.1 is aborted and fails the test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from channel_plugin.testing import Sandbox, make_order

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BUYERS = ["Margaret Hamilton", "Frances Allen", "John Backus", "Niklaus Wirth", "Sophie Wilson", "Tony Hoare"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.timeout(300))  # Chromium's start and page loads on a busy machine


def _chromium_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open, and the
    tests after this module need to start their own (asyncio.run)."""
    reason = _chromium_missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: browser tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def seed_dashboard(sandbox: Sandbox) -> None:
    """The demo's orders plus thirty merchant orders over the last four weeks: enough for two pages and a chart."""
    from channel_plugin.demo import seed_orders

    seed_orders(sandbox)
    now = sandbox.clock.now().replace(tzinfo=None)
    for i in range(30):
        sandbox.amazon.put_order(
            make_order(
                items=[("MUG-BLUE", 1, f"{11 + i}.{(i * 7) % 100:02d}")],
                purchase_date=now - timedelta(days=3 + i % 26, hours=i % 5),
                buyer_name=BUYERS[i % len(BUYERS)],
            )
        )
    sandbox.sync()


@dataclass
class Served:
    sandbox: Sandbox
    base: str
    token: str
    outside: list[str] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{self.base}/dashboard/{path}"


def _serve(sandbox: Sandbox) -> tuple[str, Callable[[], None]]:
    import uvicorn

    from channel_plugin.demo import demo_app

    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(demo_app(sandbox), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the demo app did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        listener.close()

    return f"http://127.0.0.1:{listener.getsockname()[1]}", stop


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Start the demo's app for a Sandbox (seeded like the demo unless told otherwise)."""
    from channel_plugin.demo import CATALOG

    opened: list[tuple[Sandbox, Callable[[], None]]] = []

    def start(*, seed: Callable[[Sandbox], None] | None = seed_dashboard) -> Served:
        sandbox = Sandbox(catalog=CATALOG, store_name="Demo Store US").__enter__()
        if seed is not None:
            seed(sandbox)
        base, stop = _serve(sandbox)
        opened.append((sandbox, stop))
        return Served(sandbox, base, sandbox.token("write"))

    yield start
    for sandbox, stop in reversed(opened):
        stop()
        sandbox.close()


@pytest.fixture
def page_for(browser: Any) -> Iterator[Callable[..., Any]]:
    """A fresh page at 1280x800 whose requests are all checked to stay on 127.0.0.1."""
    contexts: list[Any] = []
    served_list: list[Served] = []

    def make(served: Served, *, viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
        contexts.append(context)
        served_list.append(served)

        def guard(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith("data:"):
                route.continue_()
            else:
                served.outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    for served in served_list:
        assert served.outside == [], f"requests left 127.0.0.1: {served.outside}"


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
