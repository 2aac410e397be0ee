"""Solves in worker processes, never in the server's event loop.

Each worker is a process (``spawn``: a clean interpreter, default signal handlers) that takes one job
at a time from its own queue and reports on a shared one. A dispatcher thread of the server hands the
oldest queued job of the :class:`~milp_milkrun.service.store.JobStore` to an idle worker, records what
the workers report, replaces a worker that died, and kills one whose job overran its time limit by
more than :data:`OVERRUN_SECONDS`. A worker gets a job only once it has taken over SIGINT (a SIGINT to
an interpreter still starting would kill it). Cancelling a running job sends its worker SIGINT: ``solve()`` stops
as after Ctrl-C and returns the best plan so far (checked, as every result), and the worker is then
replaced (a HiGHS run left behind must not slow the next job). A worker exits when the server's
process is gone, so a killed server leaves no solver running.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from milp_milkrun.emissions import factors_from_dict
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict
from milp_milkrun.objectives import linear_costs
from milp_milkrun.service.store import JobStore
from milp_milkrun.solve import SolveOptions, solve

LOG = logging.getLogger(__name__)
OVERRUN_SECONDS = 30.0  # a job this long past its time limit is killed (its worker replaced)
POLL_SECONDS = 0.1
PARENT_WATCH_SECONDS = 0.5


def prepare(request: dict[str, Any]) -> tuple[Instance, SolveOptions]:
    """The instance and the options of a job's request, every part checked (the server calls it before it
    queues a job, so that bad input gets 422 at once; the worker calls it again).

    Parameters
    ----------
    request : dict
        ``instance`` (a JSON instance document), ``model``, ``time_limit``, ``gap``, ``seed``,
        ``objective`` and ``factors``.

    Returns
    -------
    tuple[Instance, SolveOptions]
        What ``solve()`` is called with (one solver thread); ``InputError`` names the field
        (``instance.dcs[3].demand``, ``factors.fuels.X...``, ``objective``).
    """
    try:
        instance = instance_from_dict(request["instance"])
    except InputError as error:
        raise InputError(f"instance.{error.field}", error.message) from None
    objective, document = request.get("objective"), request.get("factors")
    if document is not None and objective != "emissions":
        raise InputError("factors", "emission factors are only used with the emissions objective")
    try:
        factors = factors_from_dict(document or {}, is_default=document is None) if objective == "emissions" else None
    except InputError as error:
        raise InputError(f"factors.{error.field}", error.message) from None
    options = SolveOptions(
        time_limit=request["time_limit"],
        gap=request["gap"],
        seed=request["seed"],
        threads=1,
        objective=objective,
        factors=factors,
    )
    costs = options.costs(instance)
    if request["model"] in ("exact", "strong"):
        linear_costs(instance, costs)
    return instance, options


def solve_request(request: dict[str, Any]) -> dict[str, Any]:
    """Solve one job's request (in a worker process).

    Parameters
    ----------
    request : dict
        As :func:`prepare` reads it, with ``model``.

    Returns
    -------
    dict
        ``result`` (``SolveResult.to_dict()``, its plan checked by ``make_result``), ``plan`` (or None)
        and ``interrupted``.
    """
    instance, options = prepare(request)
    result = solve(instance, model=request["model"], options=options)
    return {
        "result": result.to_dict(),
        "plan": result.plan.to_dict() if result.plan is not None else None,
        "interrupted": result.interrupted,
    }


def worker_main(tasks: Any, reports: Any, parent: int, ready: Any) -> None:
    """A worker's loop: solve each job it is given and report it; exit with the server.

    Parameters
    ----------
    tasks, reports : multiprocessing.Queue
        Jobs in (``(job_id, request)``, or None to stop); reports out.
    parent : int
        The server's process id.
    ready : multiprocessing.Event
        Set once SIGINT is the guard's: until then a cancel's SIGINT would kill the starting interpreter.
    """
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    guard = _SolveGuard()
    signal.signal(signal.SIGINT, guard.on_sigint)
    ready.set()
    while (task := tasks.get()) is not None:
        job_id, request = task
        reports.put(_run(job_id, request, guard))


class _SolveGuard:
    """SIGINT stops a solve (as Ctrl-C: ``solve()`` returns its best plan) and is ignored outside one, so
    a cancel that arrives late can never lose a finished job's report."""

    def __init__(self) -> None:
        self.solving = False

    def on_sigint(self, signum: int, frame: object) -> None:
        if self.solving:
            raise KeyboardInterrupt

    def __enter__(self) -> None:
        self.solving = True

    def __exit__(self, *exc: object) -> None:
        self.solving = False


def _run(
    job_id: str, request: dict[str, Any], guard: _SolveGuard
) -> tuple[str, str, dict[str, Any] | None, str | None]:
    """``(job_id, outcome, payload, error)``: outcome ``solved``, ``stopped`` (SIGINT) or ``failed``."""
    payload = None
    try:
        with guard:
            payload = solve_request(request)
    except KeyboardInterrupt:  # before solve() could take it (a late one, after the result, changes nothing)
        if payload is None:
            return job_id, "stopped", None, "stopped before any plan"
    except InputError as error:
        return job_id, "failed", None, f"{error.field}: {error.message}"
    except CheckFailedError as error:
        return job_id, "failed", None, f"internal error (please report): {error}"
    except Exception as error:  # noqa: BLE001 - a job's failure is reported with the job, the worker lives on
        return job_id, "failed", None, f"internal error (please report): {type(error).__name__}: {error}"
    return job_id, "stopped" if payload["interrupted"] else "solved", payload, None


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(0)


@dataclass
class _Slot:
    process: Any
    tasks: Any
    ready: Any  # multiprocessing.Event: set once the worker takes SIGINT as a cancel (no job before it)
    job: str | None = None
    deadline: float = 0.0  # when the job must have ended (time limit + overrun)
    retiring: bool = False  # told to exit after a stopped job; replaced once it has


class WorkerPool:
    """``workers`` processes solving the store's queued jobs, oldest first."""

    def __init__(self, store: JobStore, workers: int) -> None:
        self._store = store
        self._context = multiprocessing.get_context("spawn")
        self._reports = self._context.Queue()
        self._lock = threading.Lock()
        self._slots = [self._new_slot() for _ in range(workers)]
        self._dispatching = True
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="milkrun-dispatcher", daemon=True)
        self._thread.start()

    def _new_slot(self) -> _Slot:
        tasks, ready = self._context.Queue(), self._context.Event()
        process = self._context.Process(
            target=worker_main, args=(tasks, self._reports, os.getpid(), ready), daemon=True
        )
        process.start()
        return _Slot(process, tasks, ready)

    @property
    def alive(self) -> int:
        """How many workers are running."""
        return sum(slot.process.is_alive() for slot in self._slots)

    def cancel(self, job_id: str) -> bool:
        """Stop a job: a queued one never runs, a running one stops with its best plan so far.

        Parameters
        ----------
        job_id : str
            The job.

        Returns
        -------
        bool
            Whether the job was queued or running (False: it had already ended).
        """
        self._store.request_cancel(job_id)
        with self._lock:
            job = self._store.get(job_id)
            if job is None or job["state"] not in ("queued", "running"):
                return False
            if job["state"] == "queued":
                self._store.finish(job_id, "cancelled", error="cancelled before it started")
                return True
            for slot in self._slots:
                if slot.job == job_id and slot.process.pid is not None:
                    os.kill(slot.process.pid, signal.SIGINT)
        return True

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._collect(POLL_SECONDS)
            with self._lock:
                self._replace_dead_and_overrun()
                if self._dispatching:
                    self._dispatch()

    def _collect(self, wait: float) -> None:
        """Record every report that arrives within ``wait`` seconds."""
        try:
            job_id, outcome, payload, error = self._reports.get(timeout=wait)
        except queue.Empty:
            return
        with self._lock:
            self._record(job_id, outcome, payload, error)

    def _record(self, job_id: str, outcome: str, payload: dict[str, Any] | None, error: str | None) -> None:
        job = self._store.get(job_id)
        slot = next((s for s in self._slots if s.job == job_id), None)
        if slot is not None:
            slot.job = None
        if job is None:
            return
        if outcome == "failed":
            self._store.finish(job_id, "failed", error=error)
            return
        state = "done"
        if outcome == "stopped":
            state = "cancelled" if job["cancel_requested"] else "interrupted"
            if slot is not None:  # a stopped HiGHS run may linger: the next job gets a fresh worker
                slot.retiring = True
                slot.tasks.put(None)
        self._store.finish(job_id, state, result=payload, error=error)

    def _replace_dead_and_overrun(self) -> None:
        for k, slot in enumerate(self._slots):
            if slot.job is not None and time.monotonic() > slot.deadline and slot.process.is_alive():
                slot.process.kill()
                slot.process.join(5)
                self._store.finish(
                    slot.job, "failed", error=f"the solve did not stop within {OVERRUN_SECONDS:g} s of its time limit"
                )
                slot.job = None
            if not slot.process.is_alive() and self._dispatching:
                if slot.job is not None:
                    self._store.finish(slot.job, "failed", error="the worker process died")
                slot.tasks.close()
                self._slots[k] = self._new_slot()

    def _dispatch(self) -> None:
        for slot in self._slots:
            if slot.job is None and not slot.retiring and slot.ready.is_set() and slot.process.is_alive():
                job = self._store.start_next()
                if job is None:
                    return
                job_id, request = job
                slot.job, slot.deadline = job_id, time.monotonic() + request["time_limit"] + OVERRUN_SECONDS
                slot.tasks.put((job_id, request))

    def shutdown(self, drain_seconds: float) -> None:
        """Stop cleanly: no new job starts (queued ones stay queued for the next start); running jobs get
        ``drain_seconds`` to end, then SIGINT (their best plan so far is kept, state ``interrupted``).

        Parameters
        ----------
        drain_seconds : float
            How long running jobs may go on.
        """
        with self._lock:
            self._dispatching = False
        self._wait_for_running(time.monotonic() + drain_seconds)
        with self._lock:
            for slot in self._slots:
                if slot.job is not None and slot.process.pid is not None and slot.process.is_alive():
                    os.kill(slot.process.pid, signal.SIGINT)
        self._wait_for_running(time.monotonic() + 10.0)
        self._stopped.set()
        self._thread.join()
        for slot in self._slots:
            if slot.job is not None:
                self._store.finish(
                    slot.job, "interrupted", error="the server stopped while the job ran; submit it again"
                )
            if slot.process.is_alive():
                slot.tasks.put(None)
        for slot in self._slots:
            slot.process.join(5)
            if slot.process.is_alive():
                slot.process.kill()
            slot.tasks.close()
        self._reports.close()

    def _wait_for_running(self, until: float) -> None:
        while time.monotonic() < until:
            with self._lock:
                if all(slot.job is None for slot in self._slots):
                    return
            time.sleep(POLL_SECONDS)
