"""The Hypothesis profile in force: derandomised by default (CI), random only when asked."""

from __future__ import annotations

import os

from hypothesis import settings


def test_default_profile_is_derandomised():
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    current = settings()
    if chosen == "ci":
        assert current.derandomize and current.database is None
    else:
        assert chosen == "random" and not current.derandomize
    assert current.deadline is None and current.print_blob
