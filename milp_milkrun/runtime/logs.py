"""Where progress and solver logs go: the caller decides, the library installs no handler.

Every module logs to its own logger under ``milp_milkrun`` (the HiGHS and CBC logs to
``milp_milkrun.solver``), at INFO level and only when the run was asked to log (``SolveOptions.log``,
``solve_heuristic(log=True)``). Without a handler nothing is shown, so a notebook stays quiet; a
notebook user who wants the log calls :func:`show_log` or configures ``logging`` as usual. The CLI
shows it on stderr, which keeps stdout clean for ``--json``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

PACKAGE_LOGGER = logging.getLogger("milp_milkrun")


@contextmanager
def show_log(stream: TextIO) -> Iterator[None]:
    """Show the toolkit's progress and solver log on ``stream`` for the block.

    Parameters
    ----------
    stream : TextIO
        Where each record goes, as its bare message on one line (e.g. ``sys.stderr``).

    Returns
    -------
    Iterator[None]
        A context manager; on exit the handler is removed and the logger's level restored.
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = PACKAGE_LOGGER.level
    PACKAGE_LOGGER.addHandler(handler)
    PACKAGE_LOGGER.setLevel(logging.INFO)
    try:
        yield
    finally:
        PACKAGE_LOGGER.removeHandler(handler)
        PACKAGE_LOGGER.setLevel(level)
