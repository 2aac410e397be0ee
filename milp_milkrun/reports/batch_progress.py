"""``milkrun batch``: a progress bar on a terminal, one line per hub otherwise, and the summary table."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from milp_milkrun.batch.runner import Progress


@contextmanager
def batch_display() -> Iterator[Callable[[Progress, str], None]]:
    """The ``show`` callback of :func:`~milp_milkrun.batch.run_batch`, on stderr.

    Returns
    -------
    Iterator[Callable[[Progress, str], None]]
        A context manager yielding the callback: a progress bar on a terminal, one line per change
        otherwise.
    """
    if not sys.stderr.isatty():
        yield lambda progress, line: print(f"[{progress.done + progress.failed}/{progress.total}] {line}", file=sys.stderr, flush=True)
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
             TimeRemainingColumn(), console=Console(stderr=True)) as bar:
        bar_task = None

        def show(progress: Progress, line: str) -> None:
            nonlocal bar_task
            if bar_task is None:
                bar_task = bar.add_task("", total=progress.total)
            description = f"done {progress.done}  failed {progress.failed}  running {len(progress.running)}"
            bar.update(bar_task, completed=progress.done + progress.failed, description=description)
            if "FAILED" in line:
                bar.console.print(line)

        yield show


def summary_table(rows: list[dict[str, Any]]) -> str:
    """Per hub and for the network: km, vehicles, utilisation, certified gap, runtime, status.

    Parameters
    ----------
    rows : list[dict[str, Any]]
        :func:`~milp_milkrun.batch.summary_rows` of a batch.

    Returns
    -------
    str
        The table as plain text.
    """
    lines = [f"{'hub':<12} {'status':<24} {'km':>11} {'vehicles':>8} {'util.':>6} {'gap':>8} {'runtime s':>10}"]
    for r in rows:
        km = f"{r['objective']:,.1f}" if r["objective"] is not None else "-"
        util = f"{r['utilisation']:.0%}" if r["utilisation"] is not None else "-"
        gap = f"{r['gap']:.2%}" if r["gap"] is not None else "-"
        runtime = f"{r['runtime_s']:.1f}" if r["runtime_s"] is not None else "-"
        vehicles = str(r["vehicles"]) if r["vehicles"] is not None else "-"
        lines.append(f"{r['hub']:<12} {str(r['status'])[:24]:<24} {km:>11} {vehicles:>8} {util:>6} {gap:>8} {runtime:>10}")
    return "\n".join(lines)
