"""Shared pytest set-up."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from oncall_pay.cli import demo_files

# Let the test session cache compiled bytecode, as Python does by default.
# Some environments set PYTHONDONTWRITEBYTECODE, and then every `oncall-pay`
# subprocess the tests start (and every worker process) compiles the whole
# package from source again: a sixth of a second each, tens of seconds over
# the suite. Set here, before pytest-xdist starts its workers, so they and
# every subprocess inherit it; the caches go to the ignored __pycache__/.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Hypothesis profiles: a fast one for every CI run and a long one to run
# after a change to the pay rules (HYPOTHESIS_PROFILE=thorough pytest).
settings.register_profile("ci", max_examples=50, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Copies of the demo team's input files that a test may spoil."""
    out = {}
    for key, path in demo_files().items():
        out[key] = tmp_path / path.name
        shutil.copyfile(path, out[key])
    return out
