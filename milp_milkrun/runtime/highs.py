"""The one way the toolkit creates an embedded HiGHS object, so that no solver writes to stdout.

HiGHS 1.16 prints a two-line banner straight to file descriptor 1 (outside ``sys.stdout``) when the
first ``Highs`` object of a process is created. That breaks ``--json`` output and ``--quiet``. Every
``Highs`` the toolkit needs comes from :func:`new_highs`, which captures descriptor 1 while the object is
built and passes what HiGHS printed to the ``logging`` module instead. Importing this module builds one
such object at once, so that libraries which create their own ``Highs`` later in the process (PuLP's
HiGHS interface, Pyomo's) find the banner already consumed.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import math
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from milp_milkrun.limits import SOLVER_TOLERANCE, solver_seconds

logger = logging.getLogger(__name__)
_LIBC = ctypes.CDLL(None)
_FD1_LOCK = threading.Lock()  # descriptor 1 is process-wide: one capture at a time


def new_highs() -> highspy.Highs:
    """A new ``highspy.Highs`` with its own output switched off and nothing written to stdout.

    Returns
    -------
    highspy.Highs
        An empty HiGHS object whose ``output_flag`` is ``False``; a caller that wants the solver log
        turns it on and routes it through a logging callback.
    """
    with _stdout_captured() as captured:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    for line in captured:
        logger.info("%s", line)
    _own_run_locks(highs)
    return highs


def _own_run_locks(highs: highspy.Highs) -> None:
    """Give the object its own run locks.

    highspy 1.16 keeps the locks behind ``startSolve`` and ``wait`` on the class, shared by every
    ``Highs`` object: while any run of the process is still going (an abandoned one finishing in its
    thread), every other object's ``startSolve`` fails with "Solver is already running." The
    attributes are name-mangled ``Highs.__solver_stopped`` and ``Highs.__solver_started``.
    """
    highs._Highs__solver_stopped = threading.RLock()  # type: ignore[attr-defined]
    highs._Highs__solver_started = threading.Lock()  # type: ignore[attr-defined]


@contextmanager
def _stdout_captured() -> Iterator[list[str]]:
    """Send file descriptor 1 to a temporary file for the block; yields the lines written there."""
    lines: list[str] = []
    with _FD1_LOCK, tempfile.TemporaryFile(mode="w+b") as sink:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(sink.fileno(), 1)
            yield lines
        finally:
            _LIBC.fflush(None)  # C stdio buffers what HiGHS printed when fd 1 is not a terminal
            os.dup2(saved, 1)
            os.close(saved)
        sink.seek(0)
        lines.extend(line for line in sink.read().decode(errors="replace").splitlines() if line.strip())


# ----- the solver runtime every HiGHS backend shares ---------------------------------------------
SOLVER_LOG = logging.getLogger("milp_milkrun.solver")  # HiGHS's own log lines, one record per line
POLL_SECONDS = 0.1  # how often the calling thread looks at Ctrl-C and the deadline while HiGHS runs
MAX_SEED = 2_147_483_647  # HiGHS and CBC take a non-negative 32-bit seed


def solver_seed(seed: int) -> int:
    """The toolkit's seed (any integer >= 0) as a seed every solver accepts.

    Parameters
    ----------
    seed : int
        The seed a user gave (printed with every result).

    Returns
    -------
    int
        ``seed`` wrapped to ``[0, 2**31 - 2]``, the same for HiGHS and CBC.
    """
    return int(seed) % MAX_SEED


def echo_log(event: highspy.highs.HighsCallbackEvent) -> None:
    """HiGHS logging callback: each line of the solver log becomes an INFO record of ``SOLVER_LOG``.

    Parameters
    ----------
    event : highspy.highs.HighsCallbackEvent
        The logging event HiGHS passes; its ``message`` may hold several lines.
    """
    for line in event.message.rstrip("\n").split("\n"):
        SOLVER_LOG.info("%s", line)


def route_log(highs: highspy.Highs, *, echo: bool) -> None:
    """Send ``highs``'s log through :data:`SOLVER_LOG` when ``echo``; keep it silent otherwise.

    Parameters
    ----------
    highs : highspy.Highs
        An object from :func:`new_highs`.
    echo : bool
        Stream the solver log (``SolveOptions.log``) as records of the ``milp_milkrun.solver`` logger.
        Where they appear is the caller's choice (the CLI shows them on stderr); without a handler
        they go nowhere.
    """
    highs.setOptionValue("output_flag", bool(echo))
    highs.setOptionValue("log_to_console", False)
    if echo:
        highs.cbLogging.subscribe(echo_log)


def has_feasible_solution(highs: highspy.Highs) -> bool:
    """True when HiGHS holds a primal feasible solution (an incumbent), whatever its model status.

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object after a run.

    Returns
    -------
    bool
        ``primal_solution_status`` is ``kSolutionStatusFeasible``.
    """
    return highs.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible


def claims_optimal(highs: highspy.Highs) -> bool:
    """True when HiGHS's model status says optimal (a claim: the caller derives the status itself).

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object after a run.

    Returns
    -------
    bool
        The model status is ``kOptimal``.
    """
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal


def dual_bound(highs: highspy.Highs) -> float | None:
    """HiGHS's lower bound on the optimum of a MIP.

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object after a MIP run.

    Returns
    -------
    float or None
        The MIP dual bound, or None when there is none (never run, or stopped in presolve).
    """
    info = highs.getInfo()
    if highs.getModelStatus() == highspy.HighsModelStatus.kNotset or not info.valid:
        return None  # never run: the info holds no bound
    return reported_bound(info.mip_dual_bound)


def reported_bound(value: float) -> float | None:
    """A dual bound as HiGHS reports it (its info, or a callback's ``data_out.mip_dual_bound``), or None where it is
    none: infinite, HiGHS's infinity or NaN.

    Parameters
    ----------
    value : float
        The reported value.

    Returns
    -------
    float or None
        The bound, or None.
    """
    return float(value) if math.isfinite(value) and abs(value) < highspy.kHighsInf else None


GRACE_SECONDS = 0.5
"""How long a cancelled run may take to stop. HiGHS acts on a cancel only where it checks its limits;
a phase that checks none (presolve of a large model, the analytic-centre interior-point solve at the
MIP root) runs to its end. Past this grace the run is abandoned (:class:`SolverAbandoned`), so that a
time limit is kept within about a second and Ctrl-C is acted on within one."""


_ABANDONED: list[highspy.Highs] = []  # runs left behind in this process (kept alive: never destroyed mid-run)


class SolverAbandoned(RuntimeError):
    """A cancelled HiGHS run did not stop within :data:`GRACE_SECONDS`; it was left to finish alone.

    The ``Highs`` object is still running in its daemon worker thread (it stops at its next check,
    or with the process): the caller must not touch it again and keeps what it already had (the MIP
    start, plans and bounds from callbacks).
    """

    def __init__(self, *, interrupted: bool) -> None:
        self.interrupted = interrupted
        cause = "Ctrl-C" if interrupted else "the deadline"
        super().__init__(
            f"HiGHS did not stop within {GRACE_SECONDS:g} s of {cause} (a phase that checks no limit); run abandoned"
        )


def run_interruptibly(highs: highspy.Highs, deadline: float | None = None, *, grace: float = GRACE_SECONDS) -> bool:
    """Run HiGHS in its worker thread; Ctrl-C, or ``deadline`` passing, cancels the search, which keeps
    its incumbent and dual bound.

    A cancel takes effect only where HiGHS checks its own limits (its interrupt callbacks). A run that
    has not stopped ``grace`` seconds after the cancel, or when Ctrl-C is pressed a second time, is
    abandoned: :class:`SolverAbandoned` is raised and the object must not be used again.

    Parameters
    ----------
    highs : highspy.Highs
        A configured object from :func:`new_highs`.
    deadline : float, optional
        A ``time.perf_counter()`` value after which the run is cancelled.
    grace : float
        Seconds a cancelled run may take to stop before it is abandoned.

    Returns
    -------
    bool
        True if Ctrl-C cancelled the run (which then stopped in time).

    Raises
    ------
    SolverAbandoned
        The cancelled run did not stop within ``grace`` seconds, or Ctrl-C was pressed again.
    """
    if not highs.HandleUserInterrupt:  # installs (once per object) the callbacks through which cancelSolve() acts
        highs.HandleUserInterrupt = True
    highs.startSolve()
    interrupted = False
    cancelled_at: float | None = None
    while True:
        try:
            finished, _ = highs.wait(POLL_SECONDS)
            if finished:
                return interrupted
            now = time.perf_counter()
            if cancelled_at is None and deadline is not None and now >= deadline:
                highs.cancelSolve()
                cancelled_at = now
            if cancelled_at is not None and now - cancelled_at >= grace:
                _ABANDONED.append(highs)
                raise SolverAbandoned(interrupted=interrupted)
        except KeyboardInterrupt:
            if interrupted:  # a second Ctrl-C while the first one takes effect: stop waiting now
                _ABANDONED.append(highs)
                raise SolverAbandoned(interrupted=True) from None
            interrupted = True
            highs.cancelSolve()
            cancelled_at = time.perf_counter()


def exits_past_abandoned_runs(entry: Callable[[], None]) -> Callable[[], None]:
    """Wrap a program's entry point so that it exits at once, with its exit code, when a HiGHS run was
    abandoned: the normal interpreter shutdown would destroy HiGHS's worker threads while they run,
    which aborts the process ("terminate called without an active exception") after the result was
    already printed and written.

    Parameters
    ----------
    entry : callable
        The entry point (it may end by raising ``SystemExit``).

    Returns
    -------
    callable
        The wrapped entry point.
    """

    @functools.wraps(entry)
    def wrapped() -> None:
        try:
            entry()
            code: str | int | None = 0
        except SystemExit as exc:
            code = exc.code
        if not _ABANDONED:
            sys.exit(code)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # leaving now: a late Ctrl-C must not cut the exit short
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)

    return wrapped


def claims_less_than_its_solution(highs: highspy.Highs) -> bool:
    """True when HiGHS reports an objective below the cost of the solution it hands back.

    HiGHS 1.16.0 can map a MIP start into its presolved space with a wrong objective, then stop as
    "optimal" at that value while returning the start itself (seen on a 10-DC instance: 238.49
    reported, 306.40 returned, optimum 242.35; the random seed decides whether it happens).

    Parameters
    ----------
    highs
        A HiGHS object after a MIP run.

    Returns
    -------
    bool
        Whether the reported objective is below ``c @ x + offset`` of the returned solution.
    """
    info = highs.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return False
    lp = highs.getLp()
    cost = float(np.dot(lp.col_cost_, highs.getSolution().col_value)) + lp.offset_
    return cost > info.objective_function_value + SOLVER_TOLERANCE * max(1.0, abs(cost))


def search_again_without_start(highs: highspy.Highs, seconds: float, deadline: float | None = None) -> bool:
    """Forget the MIP start and every result of the last run, then search again for ``seconds``.

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object after a run.
    seconds : float
        The time limit of the new search.
    deadline : float, optional
        A ``time.perf_counter()`` value after which the new search is cancelled.

    Returns
    -------
    bool
        True if Ctrl-C cancelled the new search (see :func:`run_interruptibly`).
    """
    highs.clearSolver()
    limit_next_run(highs, seconds)
    return run_interruptibly(highs, deadline)


def limit_next_run(highs: highspy.Highs, seconds: float) -> None:
    """Let the next run of ``highs`` take ``seconds`` (at least :data:`~milp_milkrun.limits.MIN_SECONDS`).

    HiGHS compares its time limit with its run clock, which runs on across every run of one object: a limit of the
    seconds left alone stops a late run of a long-lived object at once, with no iteration (the route engine's master
    LP on R207 of Solomon: its 44 s of LP time reached the 43.5 s left at 468 s of 600, and the root ended there).

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object, fresh or after runs.
    seconds : float
        The time its next run may take.
    """
    highs.setOptionValue("time_limit", highs.getRunTime() + solver_seconds(seconds))


new_highs()  # consume the once-per-process banner before any other library creates a Highs
