"""The strong model's points as routes and plans, both ways: the round trips of an integer point,
every DC sequence of one (cycles without the hub included), Prins' split of a giant tour, and the
column values of a plan (the MIP start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.models.capacity_sets import components
from milp_milkrun.models.strong import StrongModel
from milp_milkrun.plan import Plan


def routes_from_solution(model: StrongModel, x: np.ndarray) -> list[tuple[int, list[int]]]:
    """The round trips of an integer solution as (class index, [DC indices]); DCs on hub-less cycles are left out.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[tuple[int, list[int]]]
        Each trip's class index and DC indices in driving order.
    """
    if model.kind == "undirected":
        return [(0, r) for r in _undirected_routes(model, x)]
    trips = []
    for k in range(len(model.classes)):
        succ: dict[int, list[int]] = {}
        for c, (i, j, kk) in enumerate(model.arcs):
            if kk == k and x[c] > 0.5:
                succ.setdefault(i, []).append(j)
        for first in succ.get(0, []):
            stops: list[int] = []
            node = first
            while node != 0 and len(stops) <= model.instance.n_dcs:
                stops.append(node)
                node = succ[node][0] if succ.get(node) else 0
            trips.append((k, stops))
    return trips


def _undirected_routes(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    adjacent: dict[int, list[int]] = {}
    for c, (i, j, _) in enumerate(model.arcs):
        for _ in range(int(round(x[c]))):
            adjacent.setdefault(i, []).append(j)
            adjacent.setdefault(j, []).append(i)
    routes = []
    while adjacent.get(0):
        node = adjacent[0].pop()
        stops: list[int] = []
        adjacent[node].remove(0)
        while node != 0 and len(stops) <= model.instance.n_dcs:
            stops.append(node)
            nxt = adjacent[node].pop()
            adjacent[nxt].remove(node)
            node = nxt
        routes.append(stops)
    return routes


def trip_sequences(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    """Every DC sequence of an integer point: its round trips, then its cycles without the hub.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[list[int]]
        The DC indices of each sequence.
    """
    trips = [stops for _, stops in routes_from_solution(model, x)]
    seen = {s for t in trips for s in t}
    y = model.edge_values(x)
    for comp in components(y, [j for j in range(1, model.instance.n_dcs + 1) if j not in seen]):
        cycle, node, left = [comp[0]], comp[0], set(comp[1:])
        while left:
            node = min(left, key=lambda u: (-y[node, u], u))
            cycle.append(node)
            left.discard(node)
        trips.append(cycle)
    return trips


def split_giant_tour(model: StrongModel, order: Sequence[int]) -> list[list[int]] | None:
    """Cut a DC sequence into at most K feasible round trips of least total cost (Prins' split), or None.

    Only for the undirected one-class model: a trip is feasible when its load, stop count and edges fit.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    order : Sequence[int]
        DC indices in visiting order.

    Returns
    -------
    list[list[int]] or None
        The trips, or None when no split into at most K feasible trips exists.
    """
    (vc,) = model.classes
    d, load = model.instance.distance, model.instance.demand
    edges = {(i, j) for i, j, _ in model.arcs}
    has = lambda a, b: (min(a, b), max(a, b)) in edges  # noqa: E731
    n, fleet = len(order), vc.count
    best = np.full((fleet + 1, n + 1), np.inf)
    back = np.zeros((fleet + 1, n + 1), dtype=int)
    best[0, 0] = 0.0
    for start in range(n):
        trip_load, inner = 0.0, 0.0
        for end in range(start, min(n, start + vc.max_stops)):
            trip_load += load[order[end]]
            if end > start:
                if not has(order[end - 1], order[end]):
                    break
                inner += d[order[end - 1], order[end]]
            if trip_load > vc.capacity + FLOAT_NOISE:
                break
            if not (has(0, order[start]) and has(0, order[end])):
                continue
            cost = d[0, order[start]] + inner + d[order[end], 0]
            for k in range(fleet):
                if best[k, start] + cost < best[k + 1, end + 1]:
                    best[k + 1, end + 1] = best[k, start] + cost
                    back[k + 1, end + 1] = start
    k = int(best[:, n].argmin())
    if not math.isfinite(best[k, n]):
        return None
    trips, end = [], n
    while end > 0:
        start = int(back[k, end])
        trips.append(list(order[start:end]))
        end, k = start, k - 1
    return trips


def solution_from_plan(model: StrongModel, plan: Plan) -> np.ndarray | None:
    """Column values of the arcs of a (checked) plan, or None when an arc is absent from the model.

    Parameters
    ----------
    model : StrongModel
        The model.
    plan : Plan
        A plan that passes the checker.

    Returns
    -------
    np.ndarray or None
        One value per column (1 on the plan's arcs), or None.
    """
    x = np.zeros(model.n_arcs)
    lookup = {(i, j, k): c for c, (i, j, k) in enumerate(model.arcs)}
    class_of = {v: k for k, vc in enumerate(model.classes) for v in vc.vehicles}
    idx = model.instance.index
    for route in plan.used_routes():
        path = [0, *(idx[s] for s in route.stops), 0]
        for a, b in zip(path, path[1:]):
            key = (min(a, b), max(a, b), 0) if model.kind == "undirected" else (a, b, class_of[route.vehicle])
            if key not in lookup:
                return None
            x[lookup[key]] += 1.0
    return x
