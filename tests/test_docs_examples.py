"""Examples in the docs that a reader can reproduce: the commands are run and their output compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _block_after(doc: str, command: str) -> list[str]:
    """The lines a docs code block shows after ``$ command`` (up to the next ``$`` line or the block's end)."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(command) + 3
    block = text[start : text.index("```", start)]
    return re.split(r"^\$ ", block, flags=re.MULTILINE)[0].rstrip("\n").split("\n")


def test_formats_check_example_is_what_solve_and_check_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toy6 = str(ROOT / "instances" / "toy6.json")
    code, _, _ = run_cli(monkeypatch, capsys, "solve", toy6, "--quiet", "--output", str(tmp_path / "plan.json"))
    assert code == 0
    code, out, _ = run_cli(monkeypatch, capsys, "check", toy6, str(tmp_path / "plan.json"))
    assert code == 0 and out.rstrip("\n").split("\n") == _block_after(
        "formats.md", "milkrun check instances/toy6.json plan.json"
    )


def test_formats_sol_example_is_what_solve_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_cli(
        monkeypatch,
        capsys,
        "solve",
        str(ROOT / "instances" / "toy6.json"),
        "--quiet",
        "--output",
        str(tmp_path / "toy6.sol"),
    )
    shown = _block_after(
        "formats.md", "milkrun solve instances/toy6.json --quiet --output toy6.sol > /dev/null; cat toy6.sol"
    )
    assert code == 0 and (tmp_path / "toy6.sol").read_text().rstrip("\n").split("\n") == shown


def test_batch_example_network_row_has_a_utilisation_and_a_worst_gap() -> None:
    shown = _block_after("batch.md", "milkrun batch net --out results --time-limit 10")
    network = shown[-1].split()
    assert network[0] == "NETWORK" and network[-3].endswith("%") and network[-2].endswith("%")  # utilisation, worst gap
