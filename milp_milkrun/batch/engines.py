"""Where the hubs of a batch run: a local process pool, or a Dask distributed cluster.

Both engines call ``on_result(task, outcome)`` for each hub solved and ``on_failure(task, reason)`` for
each hub that failed twice (a hub that raises, or whose worker process dies, is retried once).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from milp_milkrun.batch.tasks import BatchOptions, HubTask, solve_hub
from milp_milkrun.errors import InputError

ATTEMPTS = 2  # the first run and one retry
CONNECT_SECONDS = 5  # how long to wait for a Dask scheduler to answer
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss")
OnResult = Callable[[HubTask, dict[str, Any]], None]
OnFailure = Callable[[HubTask, str], None]
OnStart = Callable[[HubTask], None]


def run_local(
    tasks: Iterable[HubTask],
    options: BatchOptions,
    workers: int,
    on_start: OnStart,
    on_result: OnResult,
    on_failure: OnFailure,
) -> None:
    """Solve the hubs on ``workers`` local processes, at most ``workers`` at a time.

    A worker that dies (killed, out of memory) breaks the whole pool; the hubs then in flight are
    charged one attempt each and the pool is started afresh. Since no more hubs are in flight than
    there are workers, every hub in flight was running.

    Parameters
    ----------
    tasks : Iterable[HubTask]
        The hubs to solve.
    options : BatchOptions
        How every hub is solved.
    workers : int
        The number of worker processes.
    on_start, on_result, on_failure : callable
        Called when a hub starts, when it returns its outcome, and when it fails (with the reason).
    """
    pending = deque(tasks)
    attempts: Counter[str] = Counter()
    running: dict[Future[dict[str, Any]], HubTask] = {}
    pool = _new_pool(workers)

    def failed(task: HubTask, reason: str) -> None:
        attempts[task.hub] += 1
        if attempts[task.hub] < ATTEMPTS:
            pending.append(task)
        else:
            on_failure(task, reason)

    def restarted(pool: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A fresh pool after a worker died; every hub still in flight is charged one attempt."""
        for task in running.values():
            failed(task, "its worker process died (killed or out of memory)")
        running.clear()
        pool.shutdown(wait=False, cancel_futures=True)
        return _new_pool(workers)

    try:
        while pending or running:
            while pending and len(running) < workers:
                task = pending.popleft()
                try:
                    future = pool.submit(solve_hub, str(task.instance), asdict(options))
                except BrokenProcessPool:  # a worker died after the last wait returned: this hub never started
                    pending.appendleft(task)
                    pool = restarted(pool)
                    continue
                on_start(task)
                running[future] = task
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    failed(task, "its worker process died (killed or out of memory)")
                except Exception as exc:  # the hub's own failure, raised in the worker
                    failed(task, f"{type(exc).__name__}: {exc}")
                else:
                    on_result(task, outcome)
            if broken:
                pool = restarted(pool)
    finally:
        _stop(pool)


def check_scheduler_address(address: str) -> None:
    """Refuse a Dask scheduler address that is not ``[tcp|tls|ws|wss]://host:port``, before any work.

    Parameters
    ----------
    address : str
        The --scheduler value.
    """
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if (
        parts.scheme not in SCHEDULER_SCHEMES
        or not parts.hostname
        or port is None
        or any(c.isspace() for c in address)
        or parts.path
    ):
        raise InputError(
            "scheduler",
            f"{address!r} is not a scheduler address; give {'|'.join(SCHEDULER_SCHEMES)}://host:port, e.g. tcp://10.0.0.5:8786",
        )


def _new_pool(workers: int) -> ProcessPoolExecutor:
    """Workers started fresh ("spawn"), never forked: a process that has run HiGHS holds its thread
    pool, and a fork of it can deadlock in the child (seen: a batch after solving hubs in-process)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down at once; on Ctrl-C its workers got the signal too and are ending."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle on the workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


def run_dask(
    tasks: Iterable[HubTask],
    options: BatchOptions,
    address: str,
    on_start: OnStart,
    on_result: OnResult,
    on_failure: OnFailure,
) -> None:
    """Solve the hubs on the Dask cluster at ``address`` (``tcp://host:8786``).

    Dask retries a hub that raises once (``retries=1``) and moves the hubs of a worker that dies to
    the others; a hub whose workers keep dying ends as ``KilledWorker`` (the scheduler's
    ``distributed.scheduler.allowed-failures``, 3 by default).

    Parameters
    ----------
    tasks : Iterable[HubTask]
        The hubs to solve.
    options : BatchOptions
        How every hub is solved.
    address : str
        The address of the Dask scheduler.
    on_start, on_result, on_failure : callable
        Called when a hub starts, when it returns its outcome, and when it fails (with the reason).
    """
    from distributed import Client, as_completed  # an optional dependency: only when a cluster is asked for

    check_scheduler_address(address)
    try:
        client = Client(address, timeout=f"{CONNECT_SECONDS}s")
    except (OSError, TimeoutError) as exc:
        raise InputError(
            "scheduler", f"no Dask scheduler answered at {address} within {CONNECT_SECONDS} s ({type(exc).__name__})"
        ) from None
    with client:
        futures = {}
        for task in tasks:
            on_start(task)
            future = client.submit(
                solve_hub,
                str(task.instance),
                asdict(options),
                key=f"hub-{task.hub}-{task.digest(options)[:12]}",
                retries=ATTEMPTS - 1,
                pure=False,
            )
            futures[future] = task
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:
                on_failure(task, f"{type(exc).__name__}: {exc}")
            else:
                on_result(task, outcome)
