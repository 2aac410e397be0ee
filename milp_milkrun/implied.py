"""What an instance implies, computed once per instance and cached.

Several parts of the toolkit need the same derived facts: shortest paths over the roads that are not
damaged, the chains the consecutive pairs glue together, the grain of the demands, the classes of
interchangeable vehicles, and how trips of a class get distinct vehicles. They are computed here,
once for each :class:`~milp_milkrun.instance.Instance` (the cache holds the instance weakly), and the
feasibility diagnostics, the models, the pricing and the heuristic all read them from here. The
independent checker does not: it recomputes what it needs from the raw instance.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import FLOAT_NOISE, allowance
from milp_milkrun.plan import Plan, Route

T = TypeVar("T")
_CACHE: weakref.WeakKeyDictionary[Instance, dict[str, Any]] = weakref.WeakKeyDictionary()


def _once_per_instance(compute: Callable[[Instance], T]) -> Callable[[Instance], T]:
    """Memoise ``compute`` per instance object (instances are immutable)."""

    @functools.wraps(compute)
    def cached(instance: Instance) -> T:
        facts = _CACHE.setdefault(instance, {})
        if compute.__name__ not in facts:
            facts[compute.__name__] = compute(instance)
        return facts[compute.__name__]

    return cached


@_once_per_instance
def shortest_paths(instance: Instance) -> np.ndarray:
    """All-pairs shortest path lengths over the roads that are not damaged (Floyd-Warshall).

    Parameters
    ----------
    instance
        The instance.

    Returns
    -------
    numpy.ndarray
        ``(N + 1) x (N + 1)``, read-only; ``inf`` where no usable road leads. A lower bound on any
        detour between two nodes, so exact reductions and reach tests may use it.
    """
    d = instance.distance.astype(float)  # a copy
    for a, b in instance.damaged_roads:
        i, j = instance.index[a], instance.index[b]
        d[i, j] = d[j, i] = np.inf
    for k in range(len(d)):
        d = np.minimum(d, d[:, k, None] + d[None, k, :])
    d.flags.writeable = False
    return d


@_once_per_instance
def consecutive_chains(instance: Instance) -> tuple[tuple[int, ...], ...]:
    """The consecutive pairs joined into maximal chains a -> b -> c, as node indices.

    ``build_instance`` rejects cycles and DCs with two successors, so each chain is a simple path.
    Chains come in the order of their first DC, which keeps every user deterministic.

    Parameters
    ----------
    instance : Instance
        Any instance (the result is cached per instance).

    Returns
    -------
    tuple[tuple[int, ...], ...]
        The chains, each as node indices in driving order.
    """
    index = instance.index
    successor = {index[a]: index[b] for a, b in instance.consecutive}
    has_predecessor = set(successor.values())
    chains = []
    for first in sorted(successor):
        if first in has_predecessor:
            continue
        chain = [first]
        while chain[-1] in successor:
            chain.append(successor[chain[-1]])
        chains.append(tuple(chain))
    return tuple(chains)


@_once_per_instance
def delivery_units(instance: Instance) -> tuple[tuple[int, ...], ...]:
    """Every DC in exactly one unit that a route takes whole: the maximal consecutive chains, and each
    other DC alone, in the order of their first DC (node indices).

    A search that moves whole units and never reverses one keeps equation (10) by construction.

    Parameters
    ----------
    instance : Instance
        Any instance (the result is cached per instance).

    Returns
    -------
    tuple[tuple[int, ...], ...]
        The units, each as node indices in driving order.
    """
    chained = {node for chain in consecutive_chains(instance) for node in chain}
    first_of = {chain[0]: chain for chain in consecutive_chains(instance)}
    units = []
    for node in range(1, instance.n_dcs + 1):
        if node in first_of:
            units.append(first_of[node])
        elif node not in chained:
            units.append((node,))
    return tuple(units)


@_once_per_instance
def demand_grain(instance: Instance) -> int:
    """The gcd of the demands when all are whole numbers, else 0 (no common grain).

    Parameters
    ----------
    instance : Instance
        Any instance (the result is cached per instance).

    Returns
    -------
    int
        The grain g: every demand is a multiple of it (0: none).
    """
    demands = instance.demand[1:]
    if not np.all(np.abs(demands - np.round(demands)) < FLOAT_NOISE):
        return 0
    return math.gcd(*(int(round(q)) for q in demands))


@dataclass(frozen=True)
class VehicleClass:
    """Identical vehicles: one type and one forbidden set; ``nodes`` are the DC indices it may serve."""

    name: str
    vehicles: tuple[str, ...]
    capacity: float
    max_distance: float | None
    max_stops: int  # H_k, capped at the number of DCs the class may serve
    nodes: frozenset[int]
    vehicle_type: str  # the type's name: its costs and emission rates

    @property
    def count(self) -> int:
        return len(self.vehicles)


@_once_per_instance
def vehicle_classes(instance: Instance) -> tuple[VehicleClass, ...]:
    """The fleet grouped into classes of identical vehicles (same type and same forbidden DCs).

    When every demand is a multiple of g (their gcd, e.g. whole cages of 48 bags) no load can lie
    strictly between two multiples, so the class capacity is rounded down to one: an exact reduction
    that strengthens every capacity row and cut. A class serves only the DCs it may enter, that fit it
    alone (5) and whose shortest round trip fits its distance limit (6).

    Parameters
    ----------
    instance : Instance
        Any instance (the result is cached per instance).

    Returns
    -------
    tuple[VehicleClass, ...]
        The classes, in fleet order.
    """
    grain = demand_grain(instance)
    classes: list[VehicleClass] = []
    for vt in instance.vehicle_types:
        groups: dict[frozenset[str], list[str]] = {}
        for name in vt.vehicle_names():
            banned = frozenset(dc.id for dc in instance.dcs if not instance.is_allowed(dc.id, name))
            groups.setdefault(banned, []).append(name)
        for g, (banned, names) in enumerate(groups.items(), start=1):
            nodes = frozenset(i for i in range(1, instance.n_dcs + 1) if _may_serve(instance, vt, banned, i))
            stops = min(vt.max_stops or instance.n_dcs, max(len(nodes), 1))
            label = vt.name if len(groups) == 1 else f"{vt.name}#{g}"
            capacity = math.floor(vt.capacity / grain + FLOAT_NOISE) * grain if grain else vt.capacity
            classes.append(VehicleClass(label, tuple(names), capacity, vt.max_distance, stops, nodes, vt.name))
    return tuple(classes)


def _may_serve(instance: Instance, vt: VehicleType, banned: frozenset[str], i: int) -> bool:
    if instance.node_ids[i] in banned or instance.demand[i] > vt.capacity:
        return False
    sp = shortest_paths(instance)
    return vt.max_distance is None or sp[0, i] + sp[i, 0] <= allowance(vt.max_distance)


def assign_vehicles(
    instance: Instance, classes: Sequence[VehicleClass], trips: Sequence[tuple[int, Sequence[int]]]
) -> Plan:
    """Trips (class index, DC indices) as a plan: each gets a distinct vehicle of its class, in name order.

    Parameters
    ----------
    instance : Instance
        Names the DCs.
    classes : Sequence[VehicleClass]
        The classes the trips refer to.
    trips : Sequence[tuple[int, Sequence[int]]]
        Each trip's class index and its DC indices in driving order.

    Returns
    -------
    Plan
        One route per trip.

    Raises
    ------
    ValueError
        When a class has more trips than vehicles: the caller produced an impossible plan (a bug).
    """
    free = {k: list(vc.vehicles) for k, vc in enumerate(classes)}
    ids = instance.node_ids
    routes = []
    for k, stops in trips:
        if not free[k]:
            raise ValueError(f"more trips than the {classes[k].count} vehicles of class {classes[k].name}")
        routes.append(Route(free[k].pop(0), tuple(ids[s] for s in stops)))
    return Plan(tuple(routes))
