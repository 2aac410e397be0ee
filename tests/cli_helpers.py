"""Run the ``milkrun`` console entry point in-process, exactly as a user's shell would; patch what its commands call."""

from __future__ import annotations

import sys

import pytest

import milp_milkrun.runtime.highs as highs_runtime
from milp_milkrun.cli import COMMAND_MODULES, main


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


def patch_commands(monkeypatch: pytest.MonkeyPatch, name: str, value: object) -> None:
    """Replace ``name`` (e.g. ``load_instance_for_cli``) in every command module of :mod:`milp_milkrun.cli` that calls it."""
    using = [module for module in COMMAND_MODULES if hasattr(module, name)]
    assert using, f"no command module of milp_milkrun.cli uses {name}"
    for module in using:
        monkeypatch.setattr(module, name, value)


def json_paths(document: object, where: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path into a JSON document (keys and list indices), the root ``()`` first."""
    found = [where]
    if isinstance(document, dict):
        for key, value in document.items():
            found += json_paths(value, (*where, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += json_paths(value, (*where, index))
    return found
