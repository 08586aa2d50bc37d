"""Test-suite configuration shared by every test folder."""

from __future__ import annotations

from hypothesis import settings

# Property tests draw the same examples on every run (the project's runs are deterministic, and
# CI must not meet a slow or failing example by chance); set HYPOTHESIS_PROFILE=explore to search.
settings.register_profile("polecon", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "polecon"))
