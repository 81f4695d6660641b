"""The suite runs on pytest-xdist by default (pyproject's addopts); one test can still be run in one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("one_process", [["-p", "no:xdist"], ["-n0"]])
def test_one_test_runs_in_one_process(one_process: list[str]) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *one_process,
            "-p",
            "no:cacheprovider",
            "tests/test_crypto.py::test_round_trip",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "workers" not in run.stdout  # xdist prints "created: 2/2 workers"
