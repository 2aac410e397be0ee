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
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np

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
    return highs


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


POLL_SECONDS = 0.1  # how often the calling thread looks at Ctrl-C and the deadline while HiGHS runs


def run_interruptibly(highs: highspy.Highs, deadline: float | None = None) -> bool:
    """Run HiGHS in its worker thread; Ctrl-C, or ``deadline`` (a ``time.perf_counter()`` value)
    passing, cancels the search, which keeps its incumbent and dual bound. True if Ctrl-C cancelled it.

    A cancel takes effect only where HiGHS checks its own limits (its interrupt callbacks): a phase
    that checks none, such as the analytic-centre interior-point solve at the MIP root, runs to its end.
    """
    if not highs.HandleUserInterrupt:  # installs (once per object) the callbacks through which cancelSolve() acts
        highs.HandleUserInterrupt = True
    highs.startSolve()
    interrupted = False
    while True:
        try:
            finished, _ = highs.wait(POLL_SECONDS)
            if finished:
                return interrupted
            if deadline is not None and time.perf_counter() >= deadline:
                highs.cancelSolve()
        except KeyboardInterrupt:
            interrupted = True
            highs.cancelSolve()


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
    return cost > info.objective_function_value + 1e-6 * max(1.0, abs(cost))


def search_again_without_start(highs: highspy.Highs, seconds: float, deadline: float | None = None) -> bool:
    """Forget the MIP start and every result of the last run, then search again for ``seconds``.

    Returns
    -------
    bool
        True if Ctrl-C cancelled the new search (see :func:`run_interruptibly`).
    """
    highs.clearSolver()
    highs.setOptionValue("time_limit", highs.getRunTime() + seconds)  # HiGHS's clock runs on across runs
    return run_interruptibly(highs, deadline)


new_highs()  # consume the once-per-process banner before any other library creates a Highs
