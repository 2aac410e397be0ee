"""The README's commands are the ones CI runs and the ones users copy: keep them true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    blocks = _bash_blocks((ROOT / "README.md").read_text())
    test_command = next(line for block in blocks for line in block.splitlines() if "pytest" in line)
    assert test_command.strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_names_only_existing_commands() -> None:
    from typer.main import get_command

    from milp_milkrun.cli import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    used = {m for block in _bash_blocks((ROOT / "README.md").read_text()) for m in re.findall(r"milkrun (\w+)", block)}
    assert used <= commands, f"README uses unknown commands {sorted(used - commands)}"


def test_readme_python_example_prints_what_the_readme_shows_and_nothing_else() -> None:
    """The API is quiet by default, and the bound and gap carry no float noise (94, not 93.99999999999996)."""
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    shown = re.search(r"```python\n.*?```\s*\n.*?```text\n(.*?)```", text, flags=re.S).group(1).splitlines()
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    printed = run.stdout.splitlines()
    assert printed[0] == shown[0] == "optimal 94.0 94.0 0.0"
    assert len(printed) == len(shown)  # one line per route: no solver log on stdout
    assert sorted(printed[1:]) == sorted(shown[1:])
    assert "HiGHS" not in run.stderr and "Presolv" not in run.stderr
