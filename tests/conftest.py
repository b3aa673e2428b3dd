"""Shared pytest set-up."""

from __future__ import annotations

import os

from hypothesis import settings

# Hypothesis profiles: a fast one for every CI run and a long one to run
# after a change to the pay rules (HYPOTHESIS_PROFILE=thorough pytest).
settings.register_profile("ci", max_examples=50, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
