"""Ctrl-C while a result is being reported: deferred, so that a second Ctrl-C during the wind-down of a
solve cannot cut the printed report or the written plan short."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) for the block; yields the list of signals received meanwhile.

    Outside the main thread (where signal handlers cannot be set) the block runs unchanged.

    Returns
    -------
    Iterator[list[int]]
        A context manager; the yielded list is non-empty when Ctrl-C came during the block.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
