"""Shared pytest set-up."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from oncall_pay.cli import demo_files

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
