"""Follow a background job the way a client does: poll ``storeJob(id)`` until it is no longer RUNNING."""

from __future__ import annotations

import time
from typing import Any

JOB_FIELDS = """id storeId kind state pagesRead ordersRead ordersTotal imported blocked error
  sync { received imported blocked failed invalid confirmationsSent completed cancelsSent cancelsAccepted
         cancelsRejected error }"""
STORE_JOB = f"query($id: ID!) {{ storeJob(id: $id) {{ {JOB_FIELDS} }} }}"


def finished_job(sb: Any, job_id: str, *, patience: float = 60.0) -> dict[str, Any]:
    """The job once it has ended; fails the test when it is still running after ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while True:
        job = sb.graphql(STORE_JOB, {"id": job_id})["data"]["storeJob"]
        if job is None or job["state"] != "RUNNING":
            assert job is not None, f"job {job_id} is unknown"
            return dict(job)
        assert time.monotonic() < deadline, f"job {job_id} still running: {job}"
        time.sleep(0.02)
