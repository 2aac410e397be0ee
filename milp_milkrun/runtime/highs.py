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
from collections.abc import Iterator
from contextlib import contextmanager

import highspy

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


new_highs()  # consume the once-per-process banner before any other library creates a Highs
