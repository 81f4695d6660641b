"""The README's hook and Sandbox examples run as written (a newcomer copies them first)."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_readme_hook_and_sandbox_examples_work():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    hook = next(b for b in blocks if "class PrimeOrdersFirst" in b)
    sandbox_test = next(b for b in blocks if "def test_fba_suffix_is_stripped" in b)
    namespace: dict[str, object] = {}
    exec(compile(hook + "\n" + sandbox_test, "README.md", "exec"), namespace)
    namespace["test_fba_suffix_is_stripped"]()  # type: ignore[operator]


def test_the_readme_names_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", setup, flags=re.S)
    assert [c.strip().split("&&")[-1].strip() for c in commands] == [
        ".venv/bin/channel-plugin demo",
        ".venv/bin/python -m pytest",
    ]
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert commands[1].strip() in ci


def test_the_readme_graphql_examples_answer_on_the_demo_data():
    from channel_plugin.demo import CATALOG, seed_orders
    from channel_plugin.testing import Sandbox

    queries = [
        "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        for block in re.findall(r"```graphql\n(.*?)```", README, flags=re.S)
    ]
    assert len(queries) == 5
    with Sandbox(catalog=CATALOG, store_name="Demo Store US") as sandbox:
        seed_orders(sandbox)
        sandbox.sync()
        recent, blocked, match = (sandbox.graphql(q) for q in queries[:3])
        job = sandbox.graphql(queries[3])["data"]["syncStore"]["job"]
        assert job["state"] == "RUNNING"
        sandbox.runtime.jobs.wait(60)
        followed = sandbox.graphql(queries[4], {"id": job["id"]})["data"]["storeJob"]
    assert (followed["state"], followed["error"], followed["sync"]["error"]) == ("SUCCEEDED", None, None)
    assert recent["data"]["amazonOrders"]["totalCount"] == 13
    totals = [float(e["node"]["grandTotal"]["amount"]) for e in blocked["data"]["amazonOrders"]["edges"]]
    assert totals and totals == sorted(totals, reverse=True) and min(totals) >= 10.5
    assert match["data"]["matchProduct"]["errors"] == []
    assert match["data"]["matchProduct"]["results"][0]["importState"] == "IMPORTED"
