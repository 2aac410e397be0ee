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

from milp_milkrun.batch.engines import check_scheduler_address, run_dask, run_local
from milp_milkrun.batch.store import current_result, store_failure, store_result
from milp_milkrun.batch.tasks import BatchOptions, HubTask
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.io import load_instance
from milp_milkrun.io.files import make_output_folder, write_text_atomically
from milp_milkrun.io.schema import read_json
from milp_milkrun.objectives import route_costs
from milp_milkrun.request_limits import check_cores

MANIFEST = "manifest.json"


@dataclass
class BatchReport:
    """Every hub's summary row (solved now, reused from an earlier run, or failed)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: int = 0
    interrupted: bool = False
    hubs: list[str] = field(default_factory=list)  # every hub of the batch, run or not

    @property
    def failed(self) -> list[str]:
        return sorted(hub for hub, row in self.rows.items() if row.get("status") == "failed")

    @property
    def not_run(self) -> list[str]:
        return sorted(hub for hub in self.hubs if hub not in self.rows)


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
        raise InputError(f"{source}: hubs", 'a manifest lists its hubs as [{"hub": name, "instance": file}, ...]')
    tasks = []
    for k, entry in enumerate(hubs):
        if not (
            isinstance(entry, dict) and isinstance(entry.get("hub"), str) and isinstance(entry.get("instance"), str)
        ):
            raise InputError(f"{source}: hubs[{k}]", 'needs "hub" (a name) and "instance" (a file)')
        if not _plain_name(entry["hub"]):
            raise InputError(
                f"{source}: hubs[{k}].hub",
                f"{entry['hub']!r}: a hub's results go to a folder of its name, so it must be a plain name (no / or \\, not . or ..)",
            )
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
    tasks: list[HubTask],
    out_dir: Path,
    options: BatchOptions,
    *,
    workers: int = 1,
    scheduler: str | None = None,
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
    check_batch(tasks, out_dir, options, workers=workers, scheduler=scheduler)
    make_output_folder(out_dir, field="out")
    report = BatchReport(hubs=[t.hub for t in tasks])
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
        if "input_error" in outcome:  # never retried: the same input fails the same way
            on_failure(task, outcome["input_error"])
            return
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


def check_batch(
    tasks: list[HubTask], out_dir: Path, options: BatchOptions, *, workers: int = 1, scheduler: str | None = None
) -> None:
    """Every check of a batch request that needs no hub to run: workers or scheduler, hubs, results folder.

    Parameters
    ----------
    tasks, out_dir, options, workers, scheduler
        As for :func:`run_batch` (which calls this first).

    Raises
    ------
    InputError
        The first problem found, naming its field (``workers``, ``scheduler``, ``out``, or a hub's).
    """
    check_engine(workers, scheduler)
    check_hubs(tasks, options)
    check_out_dir(out_dir, tasks, options)


def check_engine(workers: int, scheduler: str | None) -> None:
    """Refuse a worker count outside 1..cores, a malformed scheduler address, or both engines at once.

    Parameters
    ----------
    workers : int
        Local worker processes.
    scheduler : str or None
        The Dask scheduler's address.
    """
    if scheduler is not None:
        if workers != 1:
            raise InputError(
                "workers", "give either --workers (a local pool) or --scheduler (a Dask cluster), not both"
            )
        check_scheduler_address(scheduler)
    check_cores("workers", workers, "local workers")


def check_hubs(tasks: list[HubTask], options: BatchOptions) -> None:
    """Validate every hub's instance, and the objective and factors on it, before any hub runs.

    Parameters
    ----------
    tasks : list[HubTask]
        The hubs (see :func:`load_hubs`).
    options : BatchOptions
        How every hub is solved.

    Raises
    ------
    InputError
        The first problem, its field prefixed with the hub's name.
    """
    factors = options.emission_factors()
    for task in tasks:
        try:
            route_costs(load_instance(task.instance), options.objective, factors)
        except InputError as exc:
            raise InputError(f"{task.hub}: {exc.field}", exc.message) from None


def check_out_dir(out_dir: Path, tasks: list[HubTask], options: BatchOptions) -> None:
    """Refuse a results folder that holds an input (a rerun would read its own summary.json as a hub).

    Parameters
    ----------
    out_dir : Path
        RESULTS_DIR.
    tasks : list[HubTask]
        The hubs.
    options : BatchOptions
        Their options (the factors file is an input too).
    """
    inputs = [t.instance for t in tasks] + ([Path(options.factors)] if options.factors else [])
    target = out_dir.resolve()
    for path in inputs:
        if path.resolve().parent == target:
            raise InputError("out", f"{out_dir} holds the input {path.name}; give a results folder of its own")


def _result_line(row: dict[str, Any]) -> str:
    gap = f"{row['gap']:.2%}" if row.get("gap") is not None else "-"
    return f"{row['hub']}: {row['status']}, {with_unit(row.get('objective'), row.get('objective_unit'))}, gap {gap}, {row['runtime_s']:.1f} s"


def with_unit(value: float | None, unit: str | None) -> str:
    """``1,234.5 km``; ``-`` when the value is unknown.

    Parameters
    ----------
    value : float or None
        A distance or an objective.
    unit : str or None
        Its unit.

    Returns
    -------
    str
        The value with its unit.
    """
    return "-" if value is None else f"{value:,.1f} {unit or ''}".rstrip()


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
    hubs = sorted(set(report.hubs) | set(report.rows))
    rows = [
        {c: report.rows.get(hub, {"status": "not run"}).get(c) for c in SUMMARY_COLUMNS} | {"hub": hub} for hub in hubs
    ]
    solved = [r for r in rows if r["distance"] is not None]
    rows.append(
        {c: None for c in SUMMARY_COLUMNS}
        | {
            "hub": "NETWORK",
            "status": _network_status(rows, len(solved)),
            "distance": _sum_if_one_unit(solved, "distance", "distance_unit"),
            "distance_unit": _one_value(solved, "distance_unit"),
            "objective": _sum_if_one_unit(solved, "objective", "objective_unit"),
            "objective_unit": _one_value(solved, "objective_unit"),
            "vehicles": sum(r["vehicles"] or 0 for r in solved),
            "load": sum(r["load"] or 0.0 for r in solved),
            "capacity": sum(r["capacity"] or 0.0 for r in solved),
            # the worst gap is known only when every hub has one
            "gap": _worst_gap(rows),
            "runtime_s": sum(r["runtime_s"] or 0.0 for r in rows),
        }
    )
    network = rows[-1]
    network["utilisation"] = (
        network["load"] / network["capacity"]
        if network["capacity"] and all(r["load"] is not None for r in solved)
        else None
    )
    return rows


SUMMARY_COLUMNS = (
    "hub",
    "status",
    "distance",
    "distance_unit",
    "objective",
    "objective_kind",
    "objective_unit",
    "vehicles",
    "load",
    "capacity",
    "utilisation",
    "gap",
    "runtime_s",
    "attempts",
    "reason",
)


def _network_status(rows: list[dict[str, Any]], solved: int) -> str:
    """``2 of 70 with a plan, 1 failed, 67 not run``: counts out of the whole batch."""
    counts = Counter(str(r["status"]) for r in rows)
    others = [f"{counts[s]} {s}" for s in ("failed", "not run") if counts[s]]
    return ", ".join([f"{solved} of {len(rows)} with a plan", *others])


def _worst_gap(rows: list[dict[str, Any]]) -> float | None:
    """The largest gap, known only when every hub has one (a hub without a bound could be anywhere)."""
    gaps = [r["gap"] for r in rows]
    return max(gaps) if gaps and None not in gaps else None


def _one_value(rows: list[dict[str, Any]], key: str) -> Any:
    values = {r[key] for r in rows}
    return values.pop() if len(values) == 1 else None


def _sum_if_one_unit(rows: list[dict[str, Any]], key: str, unit: str) -> float | None:
    """The sum over the hubs, or None when they measure it in different units (never add km to cost)."""
    if not rows or _one_value(rows, unit) is None or any(r[key] is None for r in rows):
        return None
    return float(sum(r[key] for r in rows))


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
