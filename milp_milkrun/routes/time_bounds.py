"""Completion bounds over time: the least reduced cost from a DC back to the hub when service there
starts at a given time, over walks that keep every window (and never turn straight back).

The completion bounds of :mod:`milp_milkrun.routes.pricing` count stops and load units; where neither
binds (Solomon's R2 and RC2 files: a capacity of 1000 over 25 DCs, routes of any length) they bound a
label's completion by walks of any length that ignore the clock, and under large DC duals those walks
bounce between DCs the label could never reach in time.  Indexed by the time service starts, a walk
must reach each DC within its window, and the windows cut it short (Baldacci, Mingozzi and Roberti
2011 bound the completions of their bidirectional labelling the same way, over time).

The bound is computed on a grid of start times ``T_b`` (``bucket`` of a start ``s``: the last ``T_b``
not after ``s``).  From a later start a walk reaches every later DC no earlier (the earliest window
admitting an arrival starts no earlier for a later arrival), so it admits fewer completions:
``best[b, j]``, the least over the walks from j starting service at ``T_b``, bounds every completion
from a start in ``[T_b, T_b+1)``.  A step j -> l starts service at l at ``s_l >= T_b + leave[j, l]``,
and the grid's step is at most ``1/k`` of the shortest leave time, so ``s_l`` lies ``k`` buckets later
or more: a block of ``k`` buckets depends only on later blocks and is computed at once.  A walk's cost
is the sum of its reduced arc costs; what a route pays besides (subset-row penalties, the duration's
cost) is never negative, so leaving it out keeps the bound below every completion.

An instance whose arcs take no time (a leave time of 0), or so little that the grid would pass
:data:`MAX_BUCKETS` points, has none: :func:`time_completions`
returns None and only the stop and load bounds prune.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from milp_milkrun.routes.networks import ClassNetwork

MAX_BUCKETS = 1200  # grid points over the hub's hours at most (the finer, the tighter: a start rounds down to one)
BUCKETS_PER_STEP = 4  # grid points per shortest leave time (a block computed at once)


@dataclass(frozen=True)
class TimeCompletions:
    """``best[b, j]``: the least reduced cost of a walk from DC j back to the hub that starts service at j
    at ``grid[b]`` and keeps every window; ``first[b, j]`` its first DC (0: straight home) and
    ``second[b, j]`` the least over walks whose first DC differs from it (inf when there are none)."""

    grid: np.ndarray
    best: np.ndarray
    first: np.ndarray
    second: np.ndarray

    def bucket(self, start: np.ndarray) -> np.ndarray:
        """The grid point of each start: the last not after it (the first for a start before the grid;
        an infeasible start, inf, gets the last)."""
        return np.clip(np.searchsorted(self.grid, start, side="right") - 1, 0, len(self.grid) - 1)

    def least(self, start: np.ndarray, j: np.ndarray) -> np.ndarray:
        """A lower bound on every completion from DC ``j`` where service starts at ``start`` (broadcast)."""
        return self.best[self.bucket(start), j]

    def avoiding(self, start: np.ndarray, j: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """The same for a path that reached j from ``previous``: an elementary one does not go back there first."""
        b = self.bucket(start)
        return np.where(self.first[b, j] == previous, self.second[b, j], self.best[b, j])


def time_completions(net: ClassNetwork, arc_cost: np.ndarray) -> TimeCompletions | None:
    """The completion bounds over time of a class (module doc); None without time or when an arc
    between DCs takes no time.

    Parameters
    ----------
    net : ClassNetwork
        The class's network (its windows and leave times).
    arc_cost : np.ndarray
        Reduced arc costs (with the least load term of each arc, ``net.with_load_floor``).

    Returns
    -------
    TimeCompletions or None
        The bounds on a grid of start times.
    """
    times = net.time
    n = len(arc_cost)
    if times is None or n < 2:
        return None
    leave = times.leave
    between = net.allowed[1:, 1:]
    step = float(leave[1:, 1:][between].min()) if between.any() else np.inf
    origin, close = times.hub_open, float(times.closes[0, 0])
    span = close - origin
    if not step > 0 or not 0 < span < MAX_BUCKETS * step:  # no grid, or one too fine to compute
        return None
    step = min(step, span)
    per_step = max(1, min(BUCKETS_PER_STEP, int(MAX_BUCKETS * step / span)))
    width = step / per_step
    grid = origin + width * np.arange(int(span / width) + 1)
    count = len(grid)
    best = np.full((count, n), -np.inf)  # a bucket not yet computed bounds nothing: -inf is below every walk
    second = np.full((count, n), -np.inf)
    first = np.zeros((count, n), dtype=np.int64)
    dcs = np.arange(n)
    home = np.where(net.allowed[:, 0], arc_cost[:, 0], np.inf)
    inner = net.allowed.copy()
    inner[:, 0] = False  # the way home is ``home``
    cost = np.where(inner, arc_cost, 0.0)
    for hi in range(count, 0, -per_step):
        rows = np.arange(max(0, hi - per_step), hi)
        at = grid[rows][:, None, None]  # start at j; (bucket, j, l)
        start = times.start(at + leave[None, :, :], dcs[None, None, :])
        keeps = np.isfinite(start) & times.home_by_close(start, dcs[None, None, :], direct=False)
        later = np.clip(np.searchsorted(grid, start, side="right") - 1, 0, count - 1)
        onward = np.where(first[later, dcs] == dcs[None, :, None], second[later, dcs], best[later, dcs])
        via = np.where(keeps & inner[None, :, :], cost[None, :, :] + onward, np.inf)
        via[:, :, 0] = np.where(times.home_by_close(at[:, :, 0], dcs[None, :], direct=True), home[None, :], np.inf)
        pick = via.argmin(axis=2)
        first[rows] = pick
        best[rows] = np.take_along_axis(via, pick[:, :, None], axis=2)[:, :, 0]
        np.put_along_axis(via, pick[:, :, None], np.inf, axis=2)
        second[rows] = via.min(axis=2)
    return TimeCompletions(grid, best, first, second)
