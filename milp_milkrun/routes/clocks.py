"""The clock of a label when time is a resource of the pricing and the enumeration (Eq 15-18): its
earliest start of service and, when a route's duration matters (a shift or a cost per hour), its
latest departure and driving time so far, for one choice of window at each stop.

With a duration that matters, a label extended to a DC with k windows becomes up to k labels, one per
window it can reach (:func:`window_copies`): for a fixed choice of windows the start of service at
every stop is ``max(start, dep + drive)`` for a departure ``dep`` up to ``latest``, so the route's
shortest duration is exact for that choice, and the least over the copies is the route's.  A label
dominates another (of any copy) when it starts no later, departs as late and drives no longer: for
every departure the other admits, it admits it too and is at each later stop no later, whatever the
windows chosen after it, so it keeps every completion in no longer a duration.  Without a shift or a
cost per hour the departure at the hub's opening is best and the earliest admitting window is taken.
"""

from __future__ import annotations

import numpy as np

from milp_milkrun.routes.networks import ClassNetwork

Clock = tuple[np.ndarray, np.ndarray, np.ndarray]  # (start, latest, drive) of labels: see next_clocks


def window_copies(net: ClassNetwork, succ: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The successors as the labelling extends to them: each DC of ``succ`` once per window when a
    route's duration matters and some DC has several windows, with the window of each copy; else
    ``succ`` as it is and None (the clock then takes the earliest window that admits the arrival).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    succ : np.ndarray
        DC indices, one dimension.

    Returns
    -------
    tuple[np.ndarray, np.ndarray | None]
        The DCs (repeated) and the window position of each, or None.
    """
    times = net.time
    if times is None or not times.tracks_duration or times.opens.shape[1] == 1:
        return succ, None
    counts = times.count[succ]
    nodes = np.repeat(succ, counts)
    window = np.arange(len(nodes)) - np.repeat(np.cumsum(counts) - counts, counts)
    return nodes, window


def first_clocks(net: ClassNetwork, first: np.ndarray, window: np.ndarray | None = None) -> tuple[Clock, np.ndarray]:
    """The clocks of the routes hub -> j for each DC j of ``first`` (:func:`next_clocks` from the hub at
    its opening) and whether they keep time; zeros and all True without time.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    first : np.ndarray
        DC indices.
    window : np.ndarray, optional
        The window of each (:func:`window_copies`).

    Returns
    -------
    tuple[Clock, np.ndarray]
        The clocks and the feasibility mask, one entry per DC.
    """
    opening = np.full(1, net.time.hub_open if net.time is not None else 0.0)
    return next_clocks(net, 0, (opening, np.full(1, np.inf), np.zeros(1)), first, window)


def next_clocks(
    net: ClassNetwork, i: np.ndarray | int, clock: Clock, succ: np.ndarray, window: np.ndarray | None = None
) -> tuple[Clock, np.ndarray]:
    """The clocks after driving from i to each of ``succ`` (labels in rows, successors in columns) and
    whether that keeps time: the window admits the arrival, the hub can still be reached by its closing
    and (with a shift) within the shift.

    A label's clock is its earliest start of service (departing at the hub's opening), and when the
    duration matters two more numbers: the start at the label's node is ``max(start, dep + drive)``
    for a departure ``dep`` up to ``latest`` (``drive``: travel and service so far, no waiting;
    ``latest``: the last departure the chosen windows admit), so the shortest duration so far is
    ``max(start - latest, drive)`` and never shrinks along the route.  Otherwise both stay 0 (they
    then weaken no dominance).

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
    window : np.ndarray, optional
        The window of each successor (:func:`window_copies`); None: the earliest that admits the arrival.

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
    arrival = start + leave
    if window is None:
        after, closes = times.start(arrival, succ), times.closes[succ, 0]  # one window a DC when duration matters
    else:
        closes = times.closes[succ, window]
        after = np.where(arrival <= closes, np.maximum(arrival, times.opens[succ, window]), np.inf)
    ok = np.isfinite(after) & times.home_by_close(after, succ, direct=False)
    if not times.tracks_duration:
        return (after, np.zeros(shape), np.zeros(shape)), ok
    drive = np.broadcast_to(drive + leave, shape)
    latest = np.minimum(latest, closes - drive)
    ok &= np.maximum(after - latest, drive) + times.back[succ] <= times.shift
    return (after, latest, drive), ok


def duration_floor(net: ClassNetwork, succ: np.ndarray, clock: Clock) -> np.ndarray:
    """What the least duration of any completion of labels at ``succ`` with ``clock`` costs: the
    cost per minute times their shortest duration so far plus the shortest way back (0 without a cost
    per hour).  Never above what a completion pays, so pruning on it keeps the pricing exact.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    succ : np.ndarray
        The labels' nodes, broadcast with the clock.
    clock : Clock
        Their clocks (:func:`next_clocks`).

    Returns
    -------
    np.ndarray
        One cost per label.
    """
    start, latest, drive = clock
    if net.time is None or not net.time.per_minute:
        return np.zeros(np.broadcast(start, succ).shape)
    return net.time.per_minute * (np.maximum(start - latest, drive) + net.time.back[succ])


def come_home(net: ClassNetwork, node: np.ndarray, clock: Clock) -> tuple[np.ndarray, np.ndarray]:
    """Whether labels at ``node`` with ``clock`` are back by the hub's closing driving home directly,
    and (with a shift) within it; and what the route's shortest duration then costs (its cost per hour;
    0 without).

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
    tuple[np.ndarray, np.ndarray]
        One flag and one duration cost per label.
    """
    if net.time is None:
        return np.ones(len(node), dtype=bool), np.zeros(len(node))
    start, latest, drive = clock
    times = net.time
    ok = times.home_by_close(start, node, direct=True)
    if not times.tracks_duration:
        return ok, np.zeros(len(node))
    back = times.leave[node, 0]
    latest = np.minimum(latest, times.closes[0, 0] - (drive + back))
    duration = np.maximum(start + back - latest, drive + back)
    return ok & (duration <= times.shift), times.per_minute * duration
