"""The wheel's dashboard, served by ``channel-plugin demo``, renders its store in Debian's Chromium.

Every module the page imports must answer 200: no 404, no failed request, no console error, and nothing leaves
127.0.0.1. Run with an interpreter that has Playwright (the checkout's .venv); the server is the wheel's.
Usage: dashboard_check.py DASHBOARD_URL_WITH_TOKEN
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect, sync_playwright

STORE = "Demo Store US"


def main(url: str) -> None:
    problems: list[str] = []
    scripts: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request left 127.0.0.1: {route.request.url}")
            route.abort()

    def on_response(response: Any) -> None:
        if response.request.resource_type == "script":
            scripts.append(response.url)
        if response.status != 200:
            problems.append(f"{response.status} for {response.url}")

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context().new_page()
        page.set_default_timeout(15_000)
        page.route("**/*", guard)
        page.on("response", on_response)
        page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.goto(url)
        expect(page.get_by_role("heading", name=STORE, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        browser.close()
    if not any(script.endswith("/views/dashboard.js") for script in scripts):
        problems.append(f"the page never loaded its views: scripts seen {scripts}")
    if problems:
        raise SystemExit("dashboard check:\n  " + "\n  ".join(problems))
    print(f"dashboard check: {STORE} rendered; {len(scripts)} modules answered 200")


if __name__ == "__main__":
    main(sys.argv[1])
