"""Completion bounds by stops and load units: the least reduced cost from a DC back to the hub with at
most h more DCs and c more load units, over walks (:func:`completion_bounds`, the heuristic pricing's)
or over walks without 2-cycles (:func:`two_cycle_free_completions`, the exact pricing's, the
enumeration's and the arc fixing's).  Distance, time and the subset-row penalties are ignored: what a
route pays besides its arcs only adds to it (:mod:`~milp_milkrun.routes.label_bounds` adds the bounds
that count them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from milp_milkrun.routes.networks import ClassNetwork

# the heuristic's walk bound has at most this many cells (stops x load levels x nodes^2), its loads made coarser where
# it would have more (coarse_loads): R203-100's 401 levels cost 1.7 s a call, 69% of its pricing
HEURISTIC_BOUND_CELLS = 100_000_000


def completion_bounds(net: ClassNetwork, arc_cost: np.ndarray) -> np.ndarray:
    """bound[h, c, j]: the least reduced cost from DC j back to the hub with at most h more DCs and c
    more load units -- over walks (DCs may repeat, distance ignored), so below every real completion.

    One min-plus step per stop count (:func:`_walk_step`, compiled: 15 ms a bound on Solomon's R207 with 50 customers,
    401 loads and 50 stops, where numpy's steps over every load at once took 60 ms for the same values); once a step
    changes nothing (when every DC loads at least one unit, after at most ``capacity`` steps) the rest are copies.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs ``d_ij - pi_j``.

    Returns
    -------
    np.ndarray
        The bounds, indexed [stops left, load units left, DC].
    """
    n = len(arc_cost)
    back = np.where(net.allowed[:, 0], arc_cost[:, 0], np.inf)
    bound = np.empty((net.max_stops, net.capacity + 1, n))
    bound[0] = back[None, :]
    into = np.ascontiguousarray(np.where(net.allowed, arc_cost, np.inf).T)  # into[l, j]: the arc j -> l
    rest, fits = after_loading(net)
    for h in range(1, net.max_stops):
        _walk_step(bound[h - 1], into, back, rest, fits, bound[h])
        if np.array_equal(bound[h], bound[h - 1]):
            bound[h + 1 :] = bound[h]
            break
    return bound


@njit(cache=True, nogil=True)
def _walk_step(  # pragma: no cover - compiled; tests/test_pricing.py checks the bound against its definition
    bound: np.ndarray, into: np.ndarray, back: np.ndarray, rest: np.ndarray, fits: np.ndarray, out: np.ndarray
) -> None:
    """One more DC allowed: out[c, j] = min(back[j], min over the DCs l that fit c of j -> l, then on from l by
    ``bound`` with rest[c, l] units left); the loop over j innermost, along the rows of ``out`` and ``into``."""
    loads, n = bound.shape
    for c in range(loads):
        row = out[c]
        row[:] = back
        for after in range(1, n):
            if not fits[c, after]:
                continue
            ahead = bound[rest[c, after], after]
            if ahead == np.inf:
                continue
            arcs = into[after]
            for j in range(n):
                value = arcs[j] + ahead
                if value < row[j]:
                    row[j] = value


@dataclass(frozen=True)
class Completions:
    """Completion bounds over walks without 2-cycles (no j -> l -> j): ``best[h, c, j]`` is the least
    reduced cost from DC j back to the hub with at most h more DCs and c load units left, ``first`` the
    DC that walk goes to first (0: straight home) and ``second`` the least over walks whose first DC
    differs from it.  An elementary route never turns straight back, so a path that reached j from i
    completes at no less than :meth:`avoiding` ``(h, c, j, i)``.
    """

    best: np.ndarray
    first: np.ndarray
    second: np.ndarray
    grain: int = 1  # load units per level of the bounds (:func:`coarse_loads`): a label's c units are level c // grain

    def avoiding(self, h: int, c: np.ndarray, j: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """The least completion from j (``h`` more DCs, ``c`` units) that does not go to ``previous`` first."""
        return np.where(self.first[h][c, j] == previous, self.second[h][c, j], self.best[h][c, j])


def two_cycle_free_completions(net: ClassNetwork, arc_cost: np.ndarray) -> Completions:
    """:func:`completion_bounds` over walks without 2-cycles: much tighter where large duals would let a
    walk bounce between two DCs (the enumeration of ecom74's root lists the same routes from 7x fewer
    labels).  A walk's first DC from l must differ from the DC it came from, so each DC keeps its best
    walk, that walk's first DC and the best walk starting elsewhere (Christofides, Mingozzi and Toth 1981).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs.

    Returns
    -------
    Completions
        The bounds, indexed [stops left, load units left, DC].
    """
    n = len(arc_cost)
    home = np.where(net.allowed[:, 0], arc_cost[:, 0], np.inf)
    shape = (net.max_stops, net.capacity + 1, n)
    best, second, first = np.empty(shape), np.empty(shape), np.zeros(shape, dtype=np.int64)
    best[0], second[0] = home[None, :], np.inf
    step = np.where(net.allowed, arc_cost, np.inf)
    rest, fits = after_loading(net)
    for h in range(1, net.max_stops):
        _next_stop(best[h - 1], first[h - 1], second[h - 1], step, home, rest, fits, best[h], first[h], second[h])
        if (
            np.array_equal(best[h], best[h - 1])
            and np.array_equal(first[h], first[h - 1])
            and np.array_equal(second[h], second[h - 1])
        ):
            best[h + 1 :], first[h + 1 :], second[h + 1 :] = best[h], first[h], second[h]
            break
    return Completions(best, first, second)


@njit(cache=True, nogil=True)
def _next_stop(  # pragma: no cover - compiled; tests/test_pricing.py checks the bounds against real completions
    best: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    step: np.ndarray,
    home: np.ndarray,
    rest: np.ndarray,
    fits: np.ndarray,
    best_out: np.ndarray,
    first_out: np.ndarray,
    second_out: np.ndarray,
) -> None:
    """One more DC allowed: from j with c units, the least over l of j -> l and on from l (``rest[c, l]`` units
    left) by a walk that does not turn back to j (l = 0: home), the l it takes (the first of equals) and the least
    over the other l (``after`` in the loop)."""
    loads, n = best.shape
    for c in range(loads):
        for j in range(n):
            least, via, other = home[j], 0, np.inf
            for after in range(1, n):
                if not fits[c, after]:
                    continue
                r = rest[c, after]
                value = step[j, after] + (second[r, after] if first[r, after] == j else best[r, after])
                if value < least:
                    least, via, other = value, after, least
                elif value < other:
                    other = value
            best_out[c, j], first_out[c, j], second_out[c, j] = least, via, other


def after_loading(net: ClassNetwork) -> tuple[np.ndarray, np.ndarray]:
    """rest[c, l]: load units left after DC l when c were left before it (clipped at 0); fits[c, l]: l fits."""
    shifted = np.arange(net.capacity + 1)[:, None] - net.load[None, :]
    return np.clip(shifted, 0, None), shifted >= 0


def coarse_loads(net: ClassNetwork, levels: int) -> tuple[ClassNetwork, int]:
    """``net`` with its loads and capacity in units of ``grain`` (rounded down) so that its bounds have at most
    ``levels`` load levels, and that grain (1: ``net`` itself).

    A relaxation: a completion whose loads q_l fit the c units left has sum floor(q_l / g) <= floor(sum q_l / g)
    <= floor(c / g), so it fits c // g coarse units, and its bound at that level is at most its cost.  The heuristic
    pricing's walk bound uses it where it would be large: its time grows with the load levels (Solomon's R203 with 100
    customers, 401 levels and 100 stops: 1.7 s a call, 69% of its pricing), and a weaker bound there only prunes
    fewer labels.
    """
    if net.capacity + 1 <= levels:
        return net, 1
    grain = -(-(net.capacity + 1) // levels)
    return replace(net, load=net.load // grain, capacity=net.capacity // grain), grain


def load_free(net: ClassNetwork) -> ClassNetwork:
    """``net`` without loads when no route of its most stops can outgrow the capacity (every DC its largest
    load: ng-routes repeat DCs), else ``net`` itself.  Its bounds then have one load level, which holds
    whatever load a label carries (:class:`~milp_milkrun.routes.label_bounds.LabelBounds` reads level 0):
    ignoring the loads only relaxes the bounds, and here it loses nothing.  Solomon's 25-DC files: the
    bounds over R211's 400 load units cost 145 ms a call, for nothing.
    """
    if net.max_stops * int(net.load.max(initial=0)) > net.capacity:
        return net
    return replace(net, load=np.zeros_like(net.load), capacity=0)


def walk_loads(net: ClassNetwork) -> tuple[ClassNetwork, int]:
    """The network of the heuristic pricing's walk bound and its load grain: without loads where they cannot bind
    (:func:`load_free`), in coarser units where the bound would have more than :data:`HEURISTIC_BOUND_CELLS` cells
    (:func:`coarse_loads`)."""
    cells_per_level = net.max_stops * len(net.load) ** 2
    return coarse_loads(load_free(net), max(1, HEURISTIC_BOUND_CELLS // cells_per_level))
