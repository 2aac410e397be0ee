"""The documented size limits of a request, checked before any work starts (docs/formats.md, "Limits").

Every size a user types or a file states is bounded here, so that the memory and time of a run grow
with the instance and never with a number typed in: a file is read only up to :data:`MAX_FILE_BYTES`,
an instance has at most :data:`MAX_DC_NODES` DC nodes (after oversized DCs are split), solver threads
and batch workers are at most the cores this process may use. A vehicle count is never refused: no
plan uses more vehicles of a type than there are DC nodes, so ``build_instance`` builds at most that
many (see :func:`usable_count`).
"""

from __future__ import annotations

import os

from milp_milkrun.errors import InputError

MAX_FILE_BYTES = 200_000_000  # an instance or plan file; a full matrix of 4,000 nodes is ~150 MB of JSON
MAX_DC_NODES = 10_000  # DC nodes of an instance after splits; ten times CVRPLIB's largest (X-n1001-k43)


def available_cores() -> int:
    """The number of CPU cores this process may run on (its affinity mask where the OS has one).

    Returns
    -------
    int
        At least 1.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_cores(field: str, value: int | None, what: str) -> None:
    """Refuse a thread or worker count below 1 or above the cores available, naming ``field``.

    Parameters
    ----------
    field : str
        The option's name, for the error (``threads``, ``workers``).
    value : int or None
        The count asked for (None: the default, always accepted).
    what : str
        What is counted, for the message ("solver threads").
    """
    if value is None:
        return
    cores = available_cores()
    if not 1 <= value <= cores:
        raise InputError(
            field, f"{what} must be between 1 and the {cores} core{'s' if cores != 1 else ''} available, got {value}"
        )


def check_file_size(path: os.PathLike[str], size: int) -> None:
    """Refuse an input file larger than :data:`MAX_FILE_BYTES` before it is read.

    Parameters
    ----------
    path : os.PathLike
        The file, named in the error.
    size : int
        Its size in bytes.
    """
    if size > MAX_FILE_BYTES:
        raise InputError(str(path), f"is {size:,} bytes; input files may be at most {MAX_FILE_BYTES:,} bytes")


def usable_count(count: int, dc_nodes: int, named: int) -> int:
    """The vehicles of a type worth building: no plan uses more of a type than there are DC nodes.

    Every vehicle a plan uses visits at least one DC node and every node is visited once. Vehicles of
    one type are interchangeable except those named in a forbidden entry, so keeping the named ones
    and ``dc_nodes`` others keeps every plan (up to the names of interchangeable vehicles).

    Parameters
    ----------
    count : int
        The count the file or the flag states.
    dc_nodes : int
        An upper bound on the DC nodes the type may serve.
    named : int
        The highest index k of a vehicle ``<type>-k`` named in a forbidden entry (0: none): vehicles 1..k
        hold every named one, and ``dc_nodes`` more leave enough unnamed ones for any plan.

    Returns
    -------
    int
        ``min(count, dc_nodes + named)``, at least 1.
    """
    return max(1, min(count, dc_nodes + named))
