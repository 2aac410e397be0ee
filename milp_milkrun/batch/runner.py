"""Run a batch: find the hubs, skip the current ones, solve the rest on an engine, store and summarise."""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milp_milkrun.batch.engines import run_dask, run_local
from milp_milkrun.batch.store import current_result, store_failure, store_result
from milp_milkrun.batch.tasks import BatchOptions, HubTask
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.io.files import write_text_atomically
from milp_milkrun.io.schema import read_json

MANIFEST = "manifest.json"


@dataclass
class BatchReport:
    """Every hub's summary row (solved now, reused from an earlier run, or failed)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: int = 0
    interrupted: bool = False

    @property
    def failed(self) -> list[str]:
        return sorted(hub for hub, row in self.rows.items() if row.get("status") == "failed")


@dataclass
class Progress:
    """What a progress display needs to know; ``show`` is called after every change."""

    total: int
    show: Callable[[Progress, str], None]
    done: int = 0
    failed: int = 0
    running: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.perf_counter)

    def eta_seconds(self) -> float | None:
        """The time left, estimated from the mean time per finished hub.

        Returns
        -------
        float or None
            Seconds, or None before any hub has finished.
        """
        finished = self.done + self.failed
        if not finished:
            return None
        return (time.perf_counter() - self.started) / finished * (self.total - finished)


def load_hubs(source: str | Path) -> list[HubTask]:
    """The hubs of a manifest or of a folder.

    Parameters
    ----------
    source : str or Path
        A manifest (``{"hubs": [{"hub": name, "instance": file}, ...]}``, files relative to it) or a
        folder (its manifest.json, else every .json instance in it, named by file).

    Returns
    -------
    list[HubTask]
        One task per hub; a malformed manifest or a missing file raises ``InputError``.
    """
    source = Path(source)
    if source.is_dir():
        if (source / MANIFEST).is_file():
            return load_hubs(source / MANIFEST)
        files = sorted(p for p in source.glob("*.json"))
        if not files:
            raise InputError(str(source), "no manifest.json and no .json instances in this folder")
        return [HubTask(p.stem, p) for p in files]
    data = read_json(source)
    hubs = data.get("hubs") if isinstance(data, dict) else None
    if not isinstance(hubs, list) or not hubs:
        raise InputError(f"{source}: hubs", "a manifest lists its hubs as [{\"hub\": name, \"instance\": file}, ...]")
    tasks = []
    for k, entry in enumerate(hubs):
        if not (isinstance(entry, dict) and isinstance(entry.get("hub"), str) and isinstance(entry.get("instance"), str)):
            raise InputError(f"{source}: hubs[{k}]", "needs \"hub\" (a name) and \"instance\" (a file)")
        if not _plain_name(entry["hub"]):
            raise InputError(f"{source}: hubs[{k}].hub", f"{entry['hub']!r}: a hub's results go to a folder of its name, so it must be a plain name (no / or \\, not . or ..)")
        path = source.parent / entry["instance"]
        if not path.is_file():
            raise InputError(f"{source}: hubs[{k}].instance", f"{path} does not exist")
        tasks.append(HubTask(entry["hub"], path))
    names = Counter(t.hub for t in tasks)
    twice = [name for name, n in names.items() if n > 1]
    if twice:
        raise InputError(f"{source}: hubs", f"hub names must be unique; listed twice: {', '.join(twice)}")
    return tasks


def _plain_name(name: str) -> bool:
    """A name that is one folder inside the results folder: out/<name> can never reach outside it."""
    return name.strip() not in ("", ".", "..") and not any(sep in name for sep in ("/", "\\", "\0"))


def run_batch(
    tasks: list[HubTask], out_dir: Path, options: BatchOptions, *, workers: int = 1, scheduler: str | None = None,
    show: Callable[[Progress, str], None] = lambda progress, line: None,
) -> BatchReport:
    """Solve every hub whose stored result is not current; Ctrl-C keeps every finished result.

    Parameters
    ----------
    tasks
        The hubs (see :func:`load_hubs`).
    out_dir
        RESULTS_DIR: each hub's files go to ``out_dir/<hub>/``, the summary to ``out_dir/summary.csv``.
    options
        How every hub is solved (and part of each result's hash).
    workers, scheduler
        A local pool of ``workers`` processes, or the Dask scheduler at ``scheduler``.
    show
        Called with the progress and a line after every change (a progress bar or a log line).

    Returns
    -------
    BatchReport
        A summary row per hub, also written to ``out_dir/summary.csv`` and ``summary.json``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    report = BatchReport()
    digests = {t.hub: t.digest(options) for t in tasks}
    todo = []
    for task in tasks:
        stored = current_result(out_dir / task.hub, digests[task.hub])
        if stored is not None:
            report.rows[task.hub] = stored
            report.reused += 1
        else:
            todo.append(task)
    progress = Progress(total=len(todo), show=show)
    attempts: Counter[str] = Counter()

    def on_start(task: HubTask) -> None:
        attempts[task.hub] += 1
        progress.running.add(task.hub)
        show(progress, f"{task.hub}: started")

    def on_result(task: HubTask, outcome: dict[str, Any]) -> None:
        progress.running.discard(task.hub)
        try:
            row = store_result(out_dir / task.hub, task.instance, digests[task.hub], outcome, attempts[task.hub])
        except (CheckFailedError, InputError) as exc:  # a plan that fails the checker is a failure, never a result
            on_failure(task, str(exc))
            return
        report.rows[task.hub] = row
        progress.done += 1
        show(progress, _result_line(row))

    def on_failure(task: HubTask, reason: str) -> None:
        progress.running.discard(task.hub)
        report.rows[task.hub] = store_failure(out_dir / task.hub, digests[task.hub], reason, attempts[task.hub])
        progress.failed += 1
        show(progress, f"{task.hub}: FAILED after {attempts[task.hub]} attempt(s): {reason}")

    try:
        if scheduler is not None:
            run_dask(todo, options, scheduler, on_start, on_result, on_failure)
        else:
            run_local(todo, options, workers, on_start, on_result, on_failure)
    except KeyboardInterrupt:
        report.interrupted = True
    write_summary(report, out_dir)
    return report


def _result_line(row: dict[str, Any]) -> str:
    gap = f"{row['gap']:.2%}" if row.get("gap") is not None else "-"
    km = f"{row['objective']:,.1f}" if row.get("objective") is not None else "-"
    return f"{row['hub']}: {row['status']}, {km} km, gap {gap}, {row['runtime_s']:.1f} s"


def summary_rows(report: BatchReport) -> list[dict[str, Any]]:
    """The summary table of a batch.

    Parameters
    ----------
    report : BatchReport
        What :func:`run_batch` returned.

    Returns
    -------
    list[dict[str, Any]]
        One row per hub (sorted by name) and a last row for the network.
    """
    columns = ("hub", "status", "objective", "vehicles", "utilisation", "gap", "runtime_s", "attempts", "reason")
    rows = [{c: report.rows[hub].get(c) for c in columns} for hub in sorted(report.rows)]
    solved: list[dict[str, Any]] = [r for r in rows if r["objective"] is not None]
    gaps = [r["gap"] for r in solved if r["gap"] is not None]
    rows.append({
        "hub": "NETWORK", "status": f"{len(solved)} of {len(rows)} with a plan", "objective": sum(r["objective"] for r in solved),
        "vehicles": sum(r["vehicles"] or 0 for r in solved), "utilisation": None, "gap": max(gaps) if gaps else None,
        "runtime_s": sum(r["runtime_s"] or 0.0 for r in rows), "attempts": None, "reason": None,
    })
    return rows


def write_summary(report: BatchReport, out_dir: Path) -> Path:
    """Write summary.csv in ``out_dir`` (atomically) and summary.json beside it.

    Parameters
    ----------
    report : BatchReport
        What :func:`run_batch` returned.
    out_dir : Path
        RESULTS_DIR.

    Returns
    -------
    Path
        The path of summary.csv.
    """
    rows = summary_rows(report)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomically(out_dir / "summary.csv", text.getvalue())
    write_text_atomically(out_dir / "summary.json", json.dumps(rows, indent=2) + "\n")
    return out_dir / "summary.csv"
