"""Separation of rounded capacity inequalities on the strong model's points: the violated sets of an
LP point (route count and weighted forms) and of an integer point (subtours, overfull trips).

The sets tried and the route requirement r(S) are :mod:`milp_milkrun.models.capacity_sets`'s, which
the route engine shares.
"""

from __future__ import annotations

import numpy as np

from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.models.capacity_sets import candidate_sets, components
from milp_milkrun.models.strong import EPS, StrongModel
from milp_milkrun.models.strong_routes import routes_from_solution


def separate_capacity_cuts(model: StrongModel, x: np.ndarray, *, max_cuts: int = 60) -> list[list[int]]:
    """DC sets S whose rounded capacity inequality the LP point ``x`` violates, most violated first.

    With degree 2 at every DC, y(delta(S)) = 2|S| - 2 y(E(S)), so each candidate needs y(E(S)) only.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An LP point (column values).
    max_cuts : int
        At most this many sets are returned.

    Returns
    -------
    list[list[int]]
        The sets, as DC indices.
    """
    violated = []
    for members, internal in candidate_sets(model.instance, model.classes, model.edge_values(x)):
        violation = 2 * model.route_requirement(members) - (2 * len(members) - 2 * internal)
        if violation > 1e-4:
            violated.append((violation, members))
    violated.sort(key=lambda vm: -vm[0])
    return [m for _, m in violated[:max_cuts]]


def separate_weighted_cuts(model: StrongModel, x: np.ndarray, *, max_cuts: int = 60) -> list[tuple[str, list[int]]]:
    """Violated weighted cuts ("load" or "stops", S) of a directed model with classes of different sizes.

    sum_k Q_k x^k(delta^-(S)) >= l(S): every entry into S is a distinct route of some class k that
    brings at most Q_k; likewise sum_k H_k x^k(delta^-(S)) >= |S| for the stop limits.  They see what
    the route count r(S) cannot: a set that one large vehicle could serve but the LP serves with small ones.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An LP point (column values).
    max_cuts : int
        At most this many cuts are returned.

    Returns
    -------
    list[tuple[str, list[int]]]
        Each cut's kind and its set (DC indices), most violated first.
    """
    sizes = {
        "load": ([c.capacity for c in model.classes], model.instance.demand),
        "stops": ([float(c.max_stops) for c in model.classes], np.ones(model.instance.n_dcs + 1)),
    }
    kinds = [kind for kind, (per_class, _) in sizes.items() if len(set(per_class)) > 1]
    if model.kind != "directed" or not kinds:
        return []
    n1 = model.instance.n_dcs + 1
    weighted = {kind: np.zeros((n1, n1)) for kind in kinds}
    for c, (i, j, k) in enumerate(model.arcs):
        if x[c] > EPS:
            for kind in kinds:
                weighted[kind][i, j] += sizes[kind][0][k] * x[c]
    violated = []
    for members, _ in candidate_sets(model.instance, model.classes, model.edge_values(x)):
        inside = np.zeros(n1, dtype=bool)
        inside[members] = True
        for kind in kinds:
            brought = float(weighted[kind][~inside][:, inside].sum())
            need = float(sizes[kind][1][members].sum())
            if need - brought > 1e-4 * max(1.0, need):
                violated.append(((need - brought) / max(need, FLOAT_NOISE), kind, members))
    violated.sort(key=lambda v: -v[0])
    return [(kind, members) for _, kind, members in violated[:max_cuts]]


def violated_route_sets(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    """DC sets S of an integer solution whose capacity inequality is violated (subtours, overfull routes).

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[list[int]]
        The sets, as DC indices.
    """
    n = model.instance.n_dcs
    trips = routes_from_solution(model, x)
    on_route = {s for _, stops in trips for s in stops}
    sets = [stops for _, stops in trips if _route_requirement_violated(model, stops)]
    sets += components(model.edge_values(x), [j for j in range(1, n + 1) if j not in on_route])
    return sets


def _route_requirement_violated(model: StrongModel, stops: list[int]) -> bool:
    return model.route_requirement(stops) > 1
