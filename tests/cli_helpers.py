"""Run the ``milkrun`` console entry point in-process, exactly as a user's shell would."""

from __future__ import annotations

import sys

import pytest

import milp_milkrun.runtime.highs as highs_runtime
from milp_milkrun.cli import main


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``milkrun ARGS`` through main(); an uncaught exception (a traceback) fails the test."""
    monkeypatch.setattr(sys, "argv", ["milkrun", *args])
    # A HiGHS run an earlier test abandoned (under load) would make main() leave through os._exit,
    # ending the whole test process with this command's exit code: count only this command's runs.
    monkeypatch.setattr(highs_runtime, "_ABANDONED", [])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err
