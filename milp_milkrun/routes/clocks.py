"""The clock of a label when time is a resource of the pricing and the enumeration (Eq 15-18): its
earliest start of service and, with a shift, its latest departure and driving time so far."""

from __future__ import annotations

import math

import numpy as np

from milp_milkrun.routes.networks import ClassNetwork

Clock = tuple[np.ndarray, np.ndarray, np.ndarray]  # (start, latest, drive) of labels: see next_clocks


def first_clocks(net: ClassNetwork, first: np.ndarray) -> tuple[Clock, np.ndarray]:
    """The clocks of the routes hub -> j for each DC j of ``first`` (:func:`next_clocks` from the hub at
    its opening) and whether they keep time; zeros and all True without time.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    first : np.ndarray
        DC indices.

    Returns
    -------
    tuple[Clock, np.ndarray]
        The clocks and the feasibility mask, one entry per DC.
    """
    opening = np.full(1, net.time.hub_open if net.time is not None else 0.0)
    return next_clocks(net, 0, (opening, np.full(1, np.inf), np.zeros(1)), first)


def next_clocks(net: ClassNetwork, i: np.ndarray | int, clock: Clock, succ: np.ndarray) -> tuple[Clock, np.ndarray]:
    """The clocks after driving from i to each of ``succ`` (labels in rows, successors in columns) and
    whether that keeps time: a window admits the arrival, the hub can still be reached by its closing
    and (with a shift) within the shift.

    A label's clock is its earliest start of service (departing at the hub's opening), and with a
    shift two more numbers: with one window per DC the start at the label's node is
    ``max(start, dep + drive)`` for a departure ``dep`` up to ``latest`` (``drive``: travel and service
    so far, no waiting; ``latest``: the last departure every window admits), so the shortest duration
    so far is ``max(start - latest, drive)`` and never shrinks along the route.  Without a shift both
    stay 0 (they then weaken no dominance).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    i : np.ndarray or int
        The labels' node(s), broadcast with the clock.
    clock : Clock
        The labels' clocks, each a column.
    succ : np.ndarray
        Successor DCs, broadcast as a row.

    Returns
    -------
    tuple[Clock, np.ndarray]
        The clocks and the feasibility mask.
    """
    start, latest, drive = clock
    shape = np.broadcast(start, succ).shape
    if net.time is None:
        return (np.zeros(shape), np.zeros(shape), np.zeros(shape)), np.ones(shape, dtype=bool)
    times = net.time
    leave = times.leave[i, succ]
    after = times.start(start + leave, succ)
    ok = np.isfinite(after) & times.home_by_close(after, succ, direct=False)
    if not math.isfinite(times.shift):
        return (after, np.zeros(shape), np.zeros(shape)), ok
    drive = np.broadcast_to(drive + leave, shape)
    latest = np.minimum(latest, times.closes[succ, 0] - drive)  # one window per DC (TimeNetwork.shift)
    ok &= np.maximum(after - latest, drive) + times.back[succ] <= times.shift
    return (after, latest, drive), ok


def home_in_time(net: ClassNetwork, node: np.ndarray, clock: Clock) -> np.ndarray:
    """Whether labels at ``node`` with ``clock`` are back by the hub's closing driving home directly,
    and (with a shift) within it.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    node : np.ndarray
        The labels' nodes.
    clock : Clock
        Their clocks (:func:`next_clocks`).

    Returns
    -------
    np.ndarray
        One flag per label.
    """
    if net.time is None:
        return np.ones(len(node), dtype=bool)
    start, latest, drive = clock
    times = net.time
    ok = times.home_by_close(start, node, direct=True)
    if math.isfinite(times.shift):
        back = times.leave[node, 0]
        latest = np.minimum(latest, times.closes[0, 0] - (drive + back))
        ok &= np.maximum(start + back - latest, drive + back) <= times.shift
    return ok
