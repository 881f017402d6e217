"""Shared fixtures: the repository, the `refract` command built from it, and cohorts made
with it. The Python results are compared with the command's, so both must come from the
same source tree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "examples" / "cohort.jsonl"


def _cli() -> Path:
    given = os.environ.get("REFRACT_BIN")
    candidates = [Path(given)] if given else [
        ROOT / "target" / "release" / "refract",
        ROOT / "target" / "debug" / "refract",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        "the refract command is needed to compare with: run `cargo build --release` "
        "at the repository root, or set REFRACT_BIN"
    )


@pytest.fixture(scope="session")
def cli() -> Path:
    return _cli()


def run_cli(*args: str) -> str:
    """The command's standard output (exit status 0 or 1: a bad patient gives 0, a bad
    definition 1)."""
    done = subprocess.run(
        [str(_cli()), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Path:
    """10,000 synthetic patients, `refract synth --patients 10000 --seed 1`."""
    path = tmp_path_factory.mktemp("synth") / "synth-10000.jsonl"
    path.write_text(run_cli("synth", "--patients", "10000", "--seed", "1"))
    return path


def cli_lines(*args: str) -> list:
    return run_cli("eval", *args).splitlines()


def by_key(lines) -> dict:
    """The CLI's result objects by (patient, definition)."""
    found = {}
    for line in lines:
        value = json.loads(line)
        found[(value["patient"], value.get("definition"))] = value
    return found
