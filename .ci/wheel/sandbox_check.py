"""``channel-plugin fake-amazon --sandbox`` replays Amazon's recorded getOrder cases with their status and body.

Run with the wheel's interpreter; the cases are read from the installed package, the same files the server loads.
Usage: sandbox_check.py BASE_URL
"""

from __future__ import annotations

import json
import sys
import time
from importlib import resources

import httpx


def main(base: str) -> None:
    document = json.loads(
        resources.files("channel_plugin").joinpath("amazon/models/ordersV0_sandbox_cases.json").read_text("utf-8")
    )
    cases = [
        case
        for case in document["cases"]
        if case["operationId"] == "getOrder" and list(case["request"]["parameters"]) == ["orderId"]
    ]
    if not cases:
        raise SystemExit("sandbox check: no getOrder case in the packaged ordersV0_sandbox_cases.json")
    token = _token(base)
    for case in cases:
        order_id = case["request"]["parameters"]["orderId"]["value"]
        answer = httpx.get(f"{base}/orders/v0/orders/{order_id}", headers={"x-amz-access-token": token})
        if answer.status_code != int(case["status"]) or answer.json() != case["response"]:
            raise SystemExit(
                f"sandbox check: getOrder {order_id} answered {answer.status_code} {answer.text[:200]}, "
                f"recorded {case['status']}"
            )
    print(f"sandbox check: {len(cases)} recorded getOrder cases replayed with their status and body")


def _token(base: str) -> str:
    """The server prints its address before it listens: retry the first request for a while."""
    deadline = time.monotonic() + 30
    while True:
        try:
            answer = httpx.post(
                f"{base}/auth/o2/token",
                data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
            )
            return str(answer.json()["access_token"])
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    main(sys.argv[1])
