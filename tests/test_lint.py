"""The lint step of CI, part of the test suite so that the README's test command runs it: ``ruff check``
and ``mypy`` (both configured in pyproject.toml, pinned in constraints.txt) must find nothing.

``ruff format --check`` runs in ``.ci/lint`` instead (see docs/contributing.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINTED = ("milp_milkrun", "tests", "benchmarks", "instances")


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """``python -m <command>`` from the repository root, with this interpreter's packages."""
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", "--no-fix", *LINTED)
    assert done.returncode == 0, f"ruff check:\n{done.stdout}{done.stderr}"


def test_mypy_finds_nothing_in_the_package() -> None:
    done = run("mypy")  # files and settings: [tool.mypy] in pyproject.toml
    assert done.returncode == 0, f"mypy:\n{done.stdout}{done.stderr}"
