"""Where the tests find the public CVRPLIB samples: ../shared/cvrplib beside the repository (never copied in)."""

from __future__ import annotations

from pathlib import Path

import pytest

CVRPLIB = Path(__file__).resolve().parents[2] / "shared" / "cvrplib"

needs_cvrplib = pytest.mark.skipif(
    not CVRPLIB.is_dir(), reason=f"CVRPLIB samples not found at {CVRPLIB} (clone shared/ beside the repo)"
)

REGRESSIONS = CVRPLIB.parent / "regressions"

needs_regressions = pytest.mark.skipif(
    not REGRESSIONS.is_dir(), reason=f"regression cases not found at {REGRESSIONS} (clone shared/ beside the repo)"
)
