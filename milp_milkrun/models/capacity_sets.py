"""Rounded capacity inequalities, the part both the strong model and the route engine use: which DC
sets S to try on a fractional point, and r(S), the fewest routes that must enter S.

The strong model (:mod:`milp_milkrun.models.strong_cuts`) measures a set on its arc variables, the
route master (:mod:`milp_milkrun.routes.separation`) on the arc flows of its routes; both hand this
module the edge use y_ij = x_ij + x_ji of their point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from milp_milkrun.implied import VehicleClass
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE

SUPPORT = SOLVER_TOLERANCE  # an edge used less than this is not in the support graph
FLOW_UNITS = 10**6  # the minimum cuts count edge use in millionths (fewer on huge graphs: see _integer_capacities)


def route_requirement(instance: Instance, classes: Sequence[VehicleClass], members: Sequence[int]) -> int:
    """r(S): a lower bound on the number of routes that must enter DC set S (>= 1).

    Routes entering S are distinct vehicles of classes that may serve part of S, each bringing at
    most Q_k load and H_k stops; so at least as many as the fewest such vehicles, largest first,
    whose capacities cover l(S), and likewise for the stop limits cover |S|.

    Parameters
    ----------
    instance : Instance
        The instance (its demands).
    classes : Sequence[VehicleClass]
        Its vehicle classes.
    members : Sequence[int]
        The DC indices of S.

    Returns
    -------
    int
        r(S).
    """
    serving = [c for c in classes if c.nodes.intersection(members)]
    load = float(instance.demand[list(members)].sum())
    by_load = _fewest_vehicles([(c.capacity, c.count) for c in serving], load)
    by_stops = _fewest_vehicles([(float(c.max_stops), c.count) for c in serving], float(len(members)))
    return max(1, by_load, by_stops)


def _fewest_vehicles(sizes: list[tuple[float, int]], amount: float) -> int:
    """Fewest vehicles (size, count available) whose sizes add up to ``amount``; one more than all if none do."""
    used, covered = 0, 0.0
    for size, count in sorted(sizes, reverse=True):
        if covered >= amount - FLOAT_NOISE or size <= 0:
            break
        take = min(count, math.ceil((amount - covered) / size - FLOAT_NOISE))
        used, covered = used + take, covered + take * size
    return used if covered >= amount - FLOAT_NOISE else used + 1


def components(y: np.ndarray, nodes: Sequence[int]) -> list[list[int]]:
    """Connected components among ``nodes`` of the support graph y > SUPPORT (the hub excluded)."""
    remaining, found = set(nodes), []
    while remaining:
        stack = [remaining.pop()]
        comp = []
        while stack:
            v = stack.pop()
            comp.append(v)
            for u in [u for u in remaining if y[v, u] > SUPPORT]:
                remaining.discard(u)
                stack.append(u)
        found.append(sorted(comp))
    return found


def _fractional_capacity_sets(instance: Instance, classes: Sequence[VehicleClass], y: np.ndarray) -> list[list[int]]:
    """For each DC i, the set S containing i that minimises y(delta(S)) - 2 l(S)/Q (a minimum cut).

    Source s -> DC j with capacity 2 l_j/Q, DC - DC edges with capacity y_ij, DC -> hub (the sink)
    with y_j0: a cut with S on the source side costs y(delta(S)) + 2 l(V' \\ S)/Q.  Forcing i into S
    (s -> i above every cut) gives the best fractional capacity set through i, a strong candidate for the
    rounded inequality.  The flows are scipy's (about ten times networkx's on the route engine's roots), over
    capacities in integer units (:func:`_integer_capacities`): the sets are candidates, each measured on
    ``y`` itself by the caller, so a cut that rounding makes minimal instead of a near-tie loses nothing.
    """
    n = instance.n_dcs
    capacity = max(c.capacity for c in classes)
    source = n + 1
    weights = np.zeros((n + 2, n + 2))
    weights[1 : n + 1, : n + 1] = np.where(y[1:, :] > SUPPORT, y[1:, :], 0.0)
    np.fill_diagonal(weights, 0.0)
    weights[source, 1 : n + 1] = 2.0 * instance.demand[1 : n + 1] / capacity
    network, forced = _integer_capacities(weights)
    first, last = network.indptr[source], network.indptr[source + 1]
    into = first + np.searchsorted(network.indices[first:last], np.arange(1, n + 1))  # the arc s -> i in the data
    sets = set()
    for i in range(1, n + 1):
        data = network.data.copy()
        data[into[i - 1]] = forced
        graph = csr_array((data, network.indices, network.indptr), shape=network.shape)
        flow = maximum_flow(graph, source, 0).flow
        residual = graph - flow  # the reverse of a used arc gets its flow back
        open_arcs = csr_array((residual > 0).astype(np.int8))
        reached = breadth_first_order(open_arcs, source, directed=True, return_predecessors=False)
        members = frozenset(int(v) for v in reached if v != source)
        if 0 < len(members) < n + 1:
            sets.add(members)
    return [sorted(m) for m in sets]


def _integer_capacities(weights: np.ndarray) -> tuple[csr_array, int]:
    """``weights`` (the last row the source's) as the integer capacities scipy's maximum flow takes (int32, which it
    wraps silently), in units of at most 1/:data:`FLOW_UNITS` chosen so that their sum stays below 2^29: the capacity
    forcing a DC to the source side (also returned, above every cut) and every flow and residual capacity then stay
    below 2^31.  Every source arc is stored, an explicit 0 for a DC without load, so that it can be raised in place."""
    units = min(FLOW_UNITS, 2**29 // max(1, math.ceil(float(weights.sum()))))
    rounded = np.rint(weights * units).astype(np.int64)
    stored = rounded != 0
    stored[-1, 1:-1] = True
    rows, cols = np.nonzero(stored)
    graph = csr_array((rounded[rows, cols].astype(np.int32), (rows, cols)), shape=weights.shape)
    graph.sort_indices()
    return graph, int(rounded.sum()) + 1


def candidate_sets(instance: Instance, classes: Sequence[VehicleClass], y: np.ndarray) -> list[tuple[list[int], float]]:
    """Candidate DC sets S with y(E(S)), the LP value inside S.

    The connected components of the support graph; for every seed DC the sets grown greedily by the
    DC most connected to the current set (the usual shrinking heuristic); and the minimum-cut sets of
    :func:`_fractional_capacity_sets`.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : Sequence[VehicleClass]
        Its vehicle classes (their largest capacity scales the minimum cuts).
    y : np.ndarray
        Edge use y_ij = x_ij + x_ji summed over classes and routes, (N+1)x(N+1), node 0 the hub.

    Returns
    -------
    list[tuple[list[int], float]]
        Each set (DC indices) with y(E(S)).
    """
    n = instance.n_dcs
    inner = y[1:, 1:]
    found: dict[frozenset[int], float] = {}

    def internal_of(members: Sequence[int]) -> float:
        idx = np.array(members) - 1
        return float(inner[np.ix_(idx, idx)].sum()) / 2

    for comp in components(y, range(1, n + 1)):
        found.setdefault(frozenset(comp), internal_of(comp))
    for seed in range(n):
        in_set = np.zeros(n, dtype=bool)
        in_set[seed] = True
        link = inner[seed].copy()  # y(S : v) for every v
        internal = 0.0
        for _ in range(min(n - 1, 3 * n // 4)):
            candidates = np.where(in_set, -1.0, link)
            v = int(candidates.argmax())
            if candidates[v] <= SUPPORT:
                break
            in_set[v] = True
            internal += link[v]
            link += inner[v]
            found.setdefault(frozenset(np.flatnonzero(in_set) + 1), internal)
    for members in _fractional_capacity_sets(instance, classes, y):
        found.setdefault(frozenset(members), internal_of(members))
    return [(sorted(int(v) for v in s), internal) for s, internal in found.items()]
