"""``milkrun batch``: a progress bar on a terminal, one line per hub otherwise, and the summary table."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from milp_milkrun.batch.runner import Progress, with_unit


@contextmanager
def batch_display(header: str) -> Iterator[Callable[[Progress, str], None]]:
    """The ``show`` callback of :func:`~milp_milkrun.batch.run_batch`, on stderr.

    Parameters
    ----------
    header : str
        A line printed before the first progress (none when no hub runs, e.g. a refused scheduler).

    Returns
    -------
    Iterator[Callable[[Progress, str], None]]
        A context manager yielding the callback: a progress bar on a terminal, one line per change
        otherwise.
    """
    shown = False

    def with_header(show: Callable[[Progress, str], None]) -> Callable[[Progress, str], None]:
        def show_after_header(progress: Progress, line: str) -> None:
            nonlocal shown
            if not shown:
                print(header, file=sys.stderr, flush=True)
                shown = True
            show(progress, line)

        return show_after_header

    if not sys.stderr.isatty():
        yield with_header(
            lambda progress, line: print(
                f"[{progress.done + progress.failed}/{progress.total}] {line}", file=sys.stderr, flush=True
            )
        )
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        bar_task = None

        def show(progress: Progress, line: str) -> None:
            nonlocal bar_task
            if bar_task is None:
                bar_task = bar.add_task("", total=progress.total)
            description = f"done {progress.done}  failed {progress.failed}  running {len(progress.running)}"
            bar.update(bar_task, completed=progress.done + progress.failed, description=description)
            if "FAILED" in line:
                bar.console.print(line)

        yield with_header(show)


def summary_table(rows: list[dict[str, Any]]) -> str:
    """Per hub and for the network: distance, objective with its unit, vehicles, utilisation, certified gap, runtime, status.

    Distance and objective are separate columns (a cost objective is not a distance); an unknown value
    is ``-``: the NETWORK row adds the hubs' objectives only when they share one unit, and states a
    worst gap only when every hub has one.

    Parameters
    ----------
    rows : list[dict[str, Any]]
        :func:`~milp_milkrun.batch.summary_rows` of a batch.

    Returns
    -------
    str
        The table as plain text.
    """
    width = max(12, *(len(str(r["hub"])) for r in rows))
    lines = [
        f"{'hub':<{width}} {'status':<36} {'distance':>13} {'objective':>20} {'vehicles':>8} {'util.':>6} {'gap':>8} {'runtime s':>10}"
    ]
    for r in rows:
        util = f"{r['utilisation']:.0%}" if r.get("utilisation") is not None else "-"
        gap = f"{r['gap']:.2%}" if r.get("gap") is not None else "-"
        runtime = f"{r['runtime_s']:.1f}" if r.get("runtime_s") is not None else "-"
        vehicles = str(r["vehicles"]) if r.get("vehicles") is not None else "-"
        distance = with_unit(r.get("distance"), r.get("distance_unit"))
        objective = with_unit(r.get("objective"), r.get("objective_unit"))
        lines.append(
            f"{r['hub']:<{width}} {str(r['status']):<36} {distance:>13} {objective:>20} {vehicles:>8} {util:>6} {gap:>8} {runtime:>10}"
        )
    return "\n".join(lines)
