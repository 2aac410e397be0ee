"""Robust capacity cuts of the route master: the forms it separates and their separation on its arc flows.

The master's rows on the arc flows x_ij = sum_r (times r drives i -> j) lambda_r (see
:mod:`milp_milkrun.routes.master`): the rounded capacity cut sum_r e_r(S) lambda_r >= r(S), and for a
mixed fleet the weighted capacity cut and the fleet knapsack cut, whole-number weights per class on
the arcs entering S.  The candidate sets and r(S) are shared with the strong model
(:mod:`milp_milkrun.models.capacity_sets`); a violation is measured on the directed entries
x(delta^-(S)).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from milp_milkrun.implied import VehicleClass
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.models.capacity_sets import candidate_sets, route_requirement

CUT_VIOLATION = 1e-3  # a cut enters the master when the LP falls short of it by more than this
MAX_FLEET_CLASSES = 8  # the fleet knapsack cut tries every subset of the classes: only for this many at most
MAX_DIVISORS = 40  # divisors l(S) / t tried per set by the weighted capacity cut's separation


@dataclass(frozen=True)
class CapacityCut:
    """The rounded capacity cut of DC set ``members``: at least ``requirement`` route entries into it.

    With ``weights`` (one whole number per class) an entry by a route of class k counts ``weights[k]``
    times: the heterogeneous form of :func:`weighted_capacity_cut`.
    """

    members: frozenset[int]
    requirement: int
    weights: tuple[int, ...] | None = None

    def weight(self, vehicle_class: int) -> int:
        return 1 if self.weights is None else self.weights[vehicle_class]

    def coefficient(self, vehicle_class: int, stops: tuple[int, ...]) -> int:
        """w_k e_r(S): how many arcs of the route hub -> stops -> hub enter the set, times the class's weight.

        A plain loop: the master computes it for every row and every route it adds (thousands of enumerated routes
        at a node: a quarter of A-n62-k8's tree went here when it paired the stops)."""
        members, entries, was_inside = self.members, 0, False
        for s in stops:
            inside = s in members
            entries += inside and not was_inside
            was_inside = inside
        return self.weight(vehicle_class) * entries

    def arc_mask(self, n: int, vehicle_class: int) -> np.ndarray:
        """mask[i, j]: the coefficient of arc i -> j in the row (the class's weight if it enters the set)."""
        inside = np.zeros(n, dtype=bool)
        inside[list(self.members)] = True
        enters = ~inside[:, None] & inside[None, :]
        return enters if self.weights is None else self.weight(vehicle_class) * enters.astype(float)


def weighted_capacity_cut(members: frozenset[int], load: float, capacities: list[float], divisor: float) -> CapacityCut:
    """The rounded capacity cut of set S for a mixed fleet, scaled by ``divisor`` D > 0:

        sum_r ceil(Q_k(r) / D) e_r(S) lambda_r >= ceil(l(S) / D)

    Valid for every plan: each route entering S delivers at most its capacity Q_k (up to the checker's
    float allowance) to S, so sum over entering routes of Q_k >= l(S); divide by D, round each
    coefficient up (e_r(S) >= 1 for a route that enters) and then the right-hand side, since the left
    is a whole number.  With D = the smallest capacity a large vehicle counts as several small ones,
    which is what makes the LP pay for the vehicles a fixed cost charges (the plain cut counts every
    vehicle once).  Computed in exact rational arithmetic so that no float rounding weakens validity.

    Parameters
    ----------
    members : frozenset[int]
        The DC indices of S.
    load : float
        l(S), the total demand of S.
    capacities : list[float]
        Q_k of every class, in class order.
    divisor : float
        D > 0.

    Returns
    -------
    CapacityCut
        The cut, with one weight per class.
    """
    d = Fraction(divisor)
    weights = tuple(max(1, math.ceil(Fraction(q) / d)) for q in capacities)
    noise = Fraction(FLOAT_NOISE)
    # a route of class k may carry allowance(Q_k) = Q_k + noise * max(1, Q_k): at most Q_k times this
    stretch = max(
        (1 + noise * max(Fraction(1), Fraction(q)) / Fraction(q) for q in capacities if q > 0), default=Fraction(1)
    )
    return CapacityCut(members, max(1, math.ceil(Fraction(load) / stretch / d)), weights)


def fleet_knapsack_cut(
    members: frozenset[int],
    load: float,
    capacities: list[float],
    counts: list[int],
    divisor: float,
    complemented: frozenset[int],
) -> CapacityCut | None:
    """A Chvatal-Gomory cut of the fleet knapsack sum_k Q_k n_k >= l(V), 0 <= n_k <= m_k, over every DC.

    Every route visits a DC, so it enters the set of all DCs exactly once and n_k (the class's routes)
    is its class's entries.  For the classes in ``complemented`` write n_k = m_k - nbar_k, divide by D
    and round every coefficient and the right-hand side up (valid for non-negative integers):

        sum_{k not in U} ceil(Q_k / D) n_k + sum_{k in U} floor(Q_k / D) n_k
            >= ceil((l(V) - sum_{k in U} Q_k m_k) / D) + sum_{k in U} floor(Q_k / D) m_k

    E.g. when the other classes together cannot carry l(V), one vehicle of the remaining class is
    needed (U = the others, D = its capacity): the LP's fractional use of a big, dear vehicle is cut.

    Parameters
    ----------
    members : frozenset[int]
        Every DC index (the cut is only valid for the whole set).
    load : float
        l(V), the total demand.
    capacities, counts : list
        Q_k and m_k of every class, in class order.
    divisor : float
        D > 0.
    complemented : frozenset[int]
        U, the classes written as m_k - nbar_k.

    Returns
    -------
    CapacityCut or None
        The cut with one (possibly zero) weight per class; None when its right-hand side is not positive.
    """
    d = Fraction(divisor)
    noise = Fraction(FLOAT_NOISE)
    stretch = max(
        (1 + noise * max(Fraction(1), Fraction(q)) / Fraction(q) for q in capacities if q > 0), default=Fraction(1)
    )
    left = Fraction(load) / stretch - sum(Fraction(capacities[k]) * counts[k] for k in complemented)
    weights = tuple(
        math.floor(Fraction(q) / d) if k in complemented else math.ceil(Fraction(q) / d)
        for k, q in enumerate(capacities)
    )
    requirement = math.ceil(left / d) + sum(weights[k] * counts[k] for k in complemented)
    if requirement <= 0:
        return None
    return CapacityCut(members, requirement, weights)


def separate_capacity_cuts(
    instance: Instance,
    classes: Sequence[VehicleClass],
    per_class: np.ndarray,
    known_cuts: list[CapacityCut],
    *,
    max_cuts: int = 40,
) -> list[CapacityCut]:
    """Rounded capacity cuts violated by an LP solution of the master, most violated first.

    For every candidate set, the plain cut or, with several classes, the most violated weighted cut;
    then the fleet knapsack cut on the set of all DCs.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : Sequence[VehicleClass]
        Its vehicle classes, in the master's order.
    per_class : np.ndarray
        x[k, i, j]: the arc flows of each class's routes at the LP solution (node 0 the hub).
    known_cuts : list[CapacityCut]
        The master's cuts: none of them is returned again.
    max_cuts : int
        At most this many cuts are returned.

    Returns
    -------
    list[CapacityCut]
        The violated cuts.
    """
    x = per_class.sum(axis=0)
    known = {(cut.members, cut.weights) for cut in known_cuts}
    sets = candidate_sets(instance, classes, x + x.T)
    sets.append((list(range(1, instance.n_dcs + 1)), 0.0))  # every DC: the fleet as a whole
    found = []
    for members, _ in sets:
        key = frozenset(members)
        if len(members) < 2:
            continue
        outside = np.ones(len(x), dtype=bool)
        outside[members] = False
        entries = per_class[:, outside][:, :, members].sum(axis=(1, 2))  # per class, x_k(delta^-(S))
        cut = CapacityCut(key, route_requirement(instance, classes, members))
        best = (cut.requirement - float(entries.sum()), cut)
        if len(classes) > 1:
            weighted = _weighted_cut(instance, classes, key, entries)
            if weighted is not None and weighted[0] > best[0]:
                best = weighted
        if best[0] > CUT_VIOLATION and (key, best[1].weights) not in known:
            known.add((key, best[1].weights))
            found.append(best)
    fleet = _fleet_cut(instance, classes, per_class[:, 0, 1:].sum(axis=1))
    if fleet is not None and (fleet[1].members, fleet[1].weights) not in known:
        found.append(fleet)
    found.sort(key=lambda vc: -vc[0])
    return [cut for _, cut in found[:max_cuts]]


def _fleet_cut(
    instance: Instance, classes: Sequence[VehicleClass], used: np.ndarray
) -> tuple[float, CapacityCut] | None:
    """The most violated :func:`fleet_knapsack_cut` (every subset U of the classes, divisors the
    capacities) at the LP's vehicle counts ``used``, with its violation; None if none is violated."""
    if len(classes) < 2 or len(classes) > MAX_FLEET_CLASSES:
        return None
    members = frozenset(range(1, instance.n_dcs + 1))
    load = float(instance.demand.sum())
    capacities = [vc.capacity for vc in classes]
    counts = [vc.count for vc in classes]
    best: tuple[float, CapacityCut] | None = None
    for size in range(len(classes)):
        for complemented in itertools.combinations(range(len(classes)), size):
            for divisor in sorted({q for q in capacities if q > 0}):
                cut = fleet_knapsack_cut(members, load, capacities, counts, divisor, frozenset(complemented))
                if cut is None:
                    continue
                violation = cut.requirement - float(np.array(cut.weights, dtype=float) @ used)
                if violation > CUT_VIOLATION and (best is None or violation > best[0]):
                    best = (violation, cut)
    return best


def _weighted_cut(
    instance: Instance, classes: Sequence[VehicleClass], members: frozenset[int], entries: np.ndarray
) -> tuple[float, CapacityCut] | None:
    """The most violated :func:`weighted_capacity_cut` of S over the divisors D = each class's
    capacity and l(S) / t (t = 1 .. l(S) / Q_min rounded up), with its violation; None if S has no load."""
    load = float(instance.demand[list(members)].sum())
    capacities = [vc.capacity for vc in classes]
    serving = [q for q, vc in zip(capacities, classes) if q > 0 and vc.nodes.intersection(members)]
    if load <= 0 or not serving:
        return None
    divisors = {*serving, *(load / t for t in range(1, min(math.ceil(load / min(serving)), MAX_DIVISORS) + 1))}
    best: tuple[float, CapacityCut] | None = None
    for divisor in sorted(divisors):
        weights = np.ceil(np.array(capacities) / divisor - FLOAT_NOISE)
        screened = math.ceil(load / divisor - SOLVER_TOLERANCE) - float(weights @ entries)  # a float estimate to screen
        if screened > CUT_VIOLATION and (best is None or screened > best[0]):
            cut = weighted_capacity_cut(members, load, capacities, divisor)
            violation = cut.requirement - float(np.array(cut.weights, dtype=float) @ entries)
            if violation > CUT_VIOLATION and (best is None or violation > best[0]):
                best = (violation, cut)
    return best
