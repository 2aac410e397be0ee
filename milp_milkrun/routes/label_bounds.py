"""What a label's completion back to the hub costs at least, from every bound the labelling has: by stops
and load units (:mod:`~milp_milkrun.routes.completions`), over time (:mod:`~milp_milkrun.routes.time_bounds`),
and each of those with part of the subset-row penalties charged (:func:`charged_costs`); for the route
enumeration also over ng-routes (:class:`SuffixBounds`).  The exact pricing and the route enumeration drop a
label when its cost plus this bound passes their threshold.

The charged bounds hold for every completion that is elementary (see :func:`charged_costs`).  That is
all the enumeration lists; the exact pricing over ng-routes keeps every elementary route of negative
reduced cost all the same (each prefix of such a route, and each ng-path that dominates one of its
prefixes, is completed by an elementary rest), so its minimum stays at most the least reduced cost of
an elementary route, which is all its Lagrangian bound needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.routes.completions import Completions, load_free, two_cycle_free_completions
from milp_milkrun.routes.networks import ClassNetwork
from milp_milkrun.routes.subset_rows import SubsetRowPenalties
from milp_milkrun.routes.time_bounds import TimeCompletions, time_completions


@dataclass(frozen=True)
class SuffixBounds:
    """``best[level, j]``: the least reduced cost of a route's rest after DC j over ng-routes, within a threshold,
    for rests that load at most ``level * grain`` units after j (:mod:`~milp_milkrun.routes.suffix_bounds`; inf: no
    rest within the threshold)."""

    best: np.ndarray
    grain: int

    def least(self, units: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The bound for labels at DCs ``j`` with ``units`` load units left (broadcast together)."""
        return self.best[np.minimum(units // self.grain, len(self.best) - 1), j]


@dataclass(frozen=True)
class LabelBounds:
    """The bounds of one class under one set of duals: by stops and load units (``plain``), over time
    (``timed``; None without a grid), both with the subset-row cuts ``cuts`` charged (``charged``,
    ``timed_charged``; None without cuts), and the rests over ng-routes of the enumeration (``suffixes``)."""

    plain: Completions
    timed: TimeCompletions | None = None
    cuts: SubsetRowPenalties | None = None
    charged: Completions | None = None
    timed_charged: TimeCompletions | None = None
    suffixes: SuffixBounds | None = None

    def least(
        self,
        left: int,
        units: np.ndarray,
        j: np.ndarray,
        previous: np.ndarray | None,
        start: np.ndarray,
        parity: np.ndarray,
    ) -> np.ndarray:
        """The bound for labels at DCs ``j`` (broadcast with the rest) with ``left`` more DCs and ``units``
        load units left, service at j starting at ``start`` and subset-row parities ``parity`` (after j).
        ``previous``: the DC each came from, which an elementary rest does not go back to first; None:
        the rest may (ng-routes).

        Charged bounds count half a cut's penalty too many when the label is in the cut's set at even
        parity (:func:`charged_costs`): that much is taken back from them.
        """

        rests = self.suffixes.least(units, j) if self.suffixes is not None else None
        # the level of the units left (coarse_loads); one level only where the loads cannot bind (load_free)
        units = np.minimum(units // self.plain.grain, self.plain.best.shape[1] - 1)

        def at(stops: Completions) -> np.ndarray:
            return stops.best[left][units, j] if previous is None else stops.avoiding(left, units, j, previous)

        def over(timed: TimeCompletions) -> np.ndarray:
            return timed.least(start, j) if previous is None else timed.avoiding(start, j, previous)

        out = at(self.plain)
        if rests is not None:
            out = np.maximum(out, rests)
        if self.timed is not None:
            out = np.maximum(out, over(self.timed))
        if self.cuts is None or self.charged is None:
            return out
        overcharged = 0.5 * self.cuts.paid(self.cuts.halves_of(j) & ~parity)  # the cuts through j at even parity
        out = np.maximum(out, at(self.charged) - overcharged)
        if self.timed_charged is not None:
            out = np.maximum(out, over(self.timed_charged) - overcharged)
        return out


def label_bounds(net: ClassNetwork, arc_cost: np.ndarray, subset_rows: SubsetRowPenalties | None) -> LabelBounds:
    """Every bound of the class for the reduced arc costs ``arc_cost`` (and the cuts ``subset_rows``).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs (the least load term of each arc is added here).
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts whose penalties the charged bounds count.

    Returns
    -------
    LabelBounds
        The bounds.
    """
    floor, loads = net.with_load_floor(arc_cost), load_free(net)
    plain = LabelBounds(two_cycle_free_completions(loads, floor), time_completions(net, floor))
    if subset_rows is None:
        return plain
    charged = floor + charged_costs(subset_rows, len(arc_cost))
    timed = time_completions(net, charged) if plain.timed is not None else None
    return replace(plain, cuts=subset_rows, charged=two_cycle_free_completions(loads, charged), timed_charged=timed)


def charged_costs(subset_rows: SubsetRowPenalties, n: int) -> np.ndarray:
    """What the charged bounds add to each arc to count part of the subset-row penalties: each arc between
    two DCs of a cut's set S is charged half the cut's penalty.  The plain bounds ignore the penalties, and
    under the cuts' duals the DC duals grow so much that they hardly prune (golden_14 FSMD's 300-unit class
    passed 10^6 labels within 0.01 of the bound).

    A rest j -> u_1 .. u_m -> hub pays, per cut, at each run of consecutive visits to S: a run of r
    visits pays floor(r/2) or ceil(r/2) penalties (by the parity it starts with; a limited memory resets
    the parity only between runs, at nodes outside S).  The charge is (r - 1)/2 per run, at most what it
    pays, except for the run that starts at j itself (its first visit was paid before) at even parity,
    charged (r - 1)/2 for the floor((r - 1)/2) it pays: half a penalty too many at most (then r - 1 = 1;
    elementary: r <= 3), which :meth:`LabelBounds.least` takes back.  Valid for elementary rests only,
    and for the bounds over time as well.

    Parameters
    ----------
    subset_rows : SubsetRowPenalties
        The cuts and their penalties.
    n : int
        Nodes of the network, the hub included.

    Returns
    -------
    np.ndarray
        The charge of each arc, [i, j].
    """
    inside = np.zeros((n, n))
    for c in np.flatnonzero(~subset_rows.thirds).tolist():  # the cuts of thirds are not charged: penalties are >= 0
        nodes = subset_rows.nodes_of(c)
        inside[np.ix_(nodes, nodes)] += subset_rows.penalty[c] / 2.0
    np.fill_diagonal(inside, 0.0)
    return inside


def reversed_label_bounds(
    net: ClassNetwork,
    back: ClassNetwork,
    arc_cost: np.ndarray,
    forward: LabelBounds,
    subset_rows: SubsetRowPenalties | None,
) -> LabelBounds:
    """The bounds of the reversed network ``back`` (:mod:`~milp_milkrun.routes.bidirectional`), from the forward
    ones ``forward`` where the arc costs allow it, else computed afresh.

    Reduced arc costs are ``c d_ij - pi_j`` less capacity-cut duals on the arcs entering a set: with symmetric
    distances and arcs, ``arc_cost[i, j] - arc_cost[j, i] = p_i - p_j`` for a potential p (the DC duals, the
    cut duals of the sets holding each DC), so a walk from j to the hub costs reversed what it costs forward
    less p_j (the differences telescope).  The stop and load bounds then are the forward ones less p_j (less
    the float error of the walk's arcs, so they stay below); the bounds over time are computed on the mirrored
    clock, which is not the forward one.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    back : ClassNetwork
        Its reversal.
    arc_cost : np.ndarray
        The forward reduced arc costs.
    forward : LabelBounds
        :func:`label_bounds` of ``net`` for ``arc_cost`` and ``subset_rows``.
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts charged.

    Returns
    -------
    LabelBounds
        The bounds of ``back`` for ``arc_cost.T``.
    """
    back_cost = np.ascontiguousarray(arc_cost.T)
    potential = _potential(net, arc_cost)
    if potential is None:
        return label_bounds(back, back_cost, subset_rows)
    shift, error = potential
    slack = error * (net.max_stops + 1)  # at most this many arcs in a walk to the hub

    def shifted(stops: Completions | None) -> Completions | None:
        if stops is None:
            return None
        return Completions(stops.best - shift - slack, stops.first, stops.second - shift - slack)

    plain, charged = shifted(forward.plain), shifted(forward.charged)
    assert plain is not None
    if forward.timed is None:
        return replace(forward, plain=plain, charged=charged)
    timed = time_completions(back, back_cost)
    timed_charged = None
    if subset_rows is not None and timed is not None:
        timed_charged = time_completions(back, back_cost + charged_costs(subset_rows, len(arc_cost)))
    return LabelBounds(plain, timed, forward.cuts, charged, timed_charged)


def _potential(net: ClassNetwork, arc_cost: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(p, e) with ``|arc_cost[i, j] - arc_cost[j, i] - (p_i - p_j)| <= e`` on every arc, p_hub = 0, when the arcs
    are symmetric, every DC has both hub arcs and e is float noise; else None."""
    allowed = net.allowed
    if net.load_rate or not np.array_equal(allowed, allowed.T) or not allowed[0, 1:].all():
        return None
    p = arc_cost[:, 0] - arc_cost[0, :]
    p[0] = 0.0
    gap = np.abs(arc_cost - arc_cost.T - (p[:, None] - p[None, :]))[allowed]
    error = float(gap.max(initial=0.0))
    scale = float(np.abs(arc_cost[allowed]).max(initial=0.0))
    return (p[None, None, :], error) if error <= FLOAT_NOISE * max(1.0, scale) else None
