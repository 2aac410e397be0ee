"""Where the tests find the public CVRPLIB samples: ../shared/cvrplib beside the repository (never copied in)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CVRPLIB = Path(__file__).resolve().parents[2] / "shared" / "cvrplib"

needs_cvrplib = pytest.mark.skipif(
    not CVRPLIB.is_dir(), reason=f"CVRPLIB samples not found at {CVRPLIB} (clone shared/ beside the repo)"
)

REGRESSIONS = Path(__file__).resolve().parents[2] / "shared" / "regressions"

needs_regressions = pytest.mark.skipif(
    not REGRESSIONS.is_dir(), reason=f"regression cases not found at {REGRESSIONS} (clone shared/ beside the repo)"
)


def cvrplib_optimum(name: str) -> float:
    """The proven optimum of a CVRPLIB instance, from ../shared/cvrplib/optima.json (never typed in)."""
    return float(json.loads((CVRPLIB / "optima.json").read_text())[name]["optimum"])
