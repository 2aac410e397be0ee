"""The pricing's view of a vehicle class (:class:`ClassNetwork`): its allowed arcs, integer loads,
limits and ng-neighbourhoods, and the ng-route relaxation's rules.

A route may revisit a DC only after leaving that DC's ng-neighbourhood (its ``NG_SIZE`` nearest DCs,
Baldacci, Mingozzi and Roberti 2011), so every elementary route is an ng-route.  The root grows the
neighbourhoods against the cycles its LP uses (:func:`grow_ng_masks`); the tree narrows a class's arcs
by reduced-cost fixing (:func:`with_allowed`).  Forbidden DCs (8, 9), consecutive pairs (10) and
damaged roads (11) are the class's arc set.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from milp_milkrun.implied import VehicleClass, demand_grain, shortest_paths
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.models.strong import directed_arcs
from milp_milkrun.objectives import RouteRates
from milp_milkrun.route_resources import RouteResources
from milp_milkrun.routes.time_network import TimeNetwork, time_admits, time_network

NG_SIZE = 8  # ng-neighbourhood size: larger is a tighter relaxation but slower pricing
MAX_NG_SIZE = 12  # memories local to a DC index tables of 2**size entries per arc (ClassNetwork.memory_moves)
MAX_LOAD_UNITS = 400  # the completion bound has one row per load unit; coarser units beyond this


@dataclass(frozen=True)
class ClassNetwork:
    """One vehicle class as the pricer sees it: allowed arcs, integer loads and the limits.

    ``allowed[i, j]``: arc i -> j exists for the class (0 is the hub).  ``load`` is in units of the
    demand grain (whole cages), so ``capacity`` is an integer number of units.
    """

    distance: np.ndarray
    allowed: np.ndarray
    load: np.ndarray  # per node, units of the grain; load[0] = 0
    capacity: int
    max_stops: int
    resources: RouteResources  # what a route of the class consumes, its limits (distance: (6) and its completion bound)
    ng_masks: tuple[int, ...]  # bit j set in ng_masks[i]: j is in the ng-neighbourhood of i
    load_rate: float = 0.0  # b_k: value per unit of demand per distance unit it rides on board
    demand: np.ndarray | None = None  # q_j as the load term weighs it (RouteCosts.load_weights)
    reach_distance: np.ndarray | None = None  # shortest way from the hub to each node
    time: TimeNetwork | None = None  # windows and travel times (instances with time); None: no time

    def load_term(self, nodes: np.ndarray, driven: np.ndarray) -> np.ndarray | float:
        """b_k * q_j * (distance driven on arriving at j), elementwise (0 without a load term)."""
        if not self.load_rate:
            return 0.0
        return self.load_rate * self.demand[nodes] * driven  # type: ignore[index]

    def with_load_floor(self, arc_cost: np.ndarray) -> np.ndarray:
        """``arc_cost`` plus the least load term arc i -> j can carry (arriving at j after at least the
        shortest way to i plus d_ij): a relaxation the completion bounds may use."""
        if not self.load_rate:
            return arc_cost
        arrival = self.reach_distance[:, None] + self.distance  # type: ignore[index]
        floor = self.load_rate * self.demand[None, :] * arrival  # type: ignore[index]
        floor[:, 0] = 0.0  # the way home carries nothing
        return arc_cost + np.where(np.isfinite(floor), floor, 0.0)

    @cached_property
    def ng_lists(self) -> tuple[tuple[int, ...], ...]:
        """The members of each ng-neighbourhood, in a fixed order (bit p of a local memory = member p)."""
        return tuple(tuple(j for j in range(len(self.load)) if mask >> j & 1) for mask in self.ng_masks)

    @cached_property
    def ng_position(self) -> np.ndarray:
        """position[j, v]: the bit of DC v in memories local to j (its place in j's neighbourhood), else -1."""
        n = len(self.load)
        position = np.full((n, n), -1, dtype=np.int64)
        for j, members in enumerate(self.ng_lists):
            position[j, list(members)] = np.arange(len(members))
        return position

    @cached_property
    def memory_moves(self) -> MemoryMoves:
        """The memory at j after i -> j for a memory m at i (both local bitmasks): the members of m that are in
        j's neighbourhood, plus j.  One table lookup per extension."""
        n = len(self.load)
        widths = np.array([1 << len(members) for members in self.ng_lists], dtype=np.int64)
        offsets = n * (np.cumsum(widths) - widths)
        table = np.empty(n * int(widths.sum()), dtype=np.int16)
        own = np.where(
            np.arange(n) > 0, np.left_shift(1, np.maximum(self.ng_position[np.arange(n), np.arange(n)], 0)), 0
        )
        for members, offset, width in zip(self.ng_lists, offsets, widths):
            target = self.ng_position[:, list(members)]  # (j, p): where member p of i's memory sits at j
            bit = np.where(target >= 0, np.left_shift(1, np.maximum(target, 0)), 0)
            held = (np.arange(width)[:, None] >> np.arange(len(members))[None, :]) & 1  # (m, p)
            moves = own[:, None] | (bit @ held.T)  # (j, m); distinct members, distinct bits: sum = or
            table[offset : offset + n * width] = moves.ravel()
        return MemoryMoves(table, offsets, widths)


@dataclass(frozen=True)
class MemoryMoves:
    """The ng memory after an arc, the tables of every tail i in one array so that labels at many DCs extend at
    once: the memory at j after i -> j from memory m at i is ``table[offset[i] + j * width[i] + m]``
    (``width[i] = 2 ** |N_i|``)."""

    table: np.ndarray
    offset: np.ndarray
    width: np.ndarray

    def after(self, i: np.ndarray | int, j: np.ndarray | int, memory: np.ndarray) -> np.ndarray:
        """The memories at ``j`` after ``i`` -> ``j`` of labels with ``memory`` at ``i`` (broadcast together)."""
        return self.table[self.offset[i] + j * self.width[i] + memory].astype(np.int64)


def with_allowed(net: ClassNetwork, allowed: np.ndarray) -> ClassNetwork:
    """``net`` with another arc set; its ng tables (which depend on the neighbourhoods only) carried over.

    Parameters
    ----------
    net : ClassNetwork
        The network.
    allowed : np.ndarray
        The new arc set, ``allowed[i, j]`` for arc i -> j.

    Returns
    -------
    ClassNetwork
        A copy of ``net`` with ``allowed``.
    """
    return with_changes(net, allowed=allowed)


def with_changes(net: ClassNetwork, **changes: Any) -> ClassNetwork:
    """``net`` with the fields ``changes`` replaced (not its ng-neighbourhoods), its ng tables carried over.

    Parameters
    ----------
    net : ClassNetwork
        The network.
    **changes : Any
        New values of fields of :class:`ClassNetwork` other than ``ng_masks``.

    Returns
    -------
    ClassNetwork
        A copy of ``net`` with ``changes``.
    """
    return _with_tables_of(net, dataclasses.replace(net, **changes))


def _with_tables_of(source: ClassNetwork, new: ClassNetwork) -> ClassNetwork:
    """``new`` with the ng tables ``source`` has built (both of the same neighbourhoods)."""
    for name in ("ng_lists", "ng_position", "memory_moves"):
        if name in source.__dict__:
            new.__dict__[name] = source.__dict__[name]
    return new


def with_ng_masks(networks: list[ClassNetwork], masks: tuple[int, ...]) -> list[ClassNetwork]:
    """Every class's network with other ng-neighbourhoods, sharing one set of memory tables (they depend on the
    neighbourhoods only: one build for all classes, not one each).

    Parameters
    ----------
    networks : list[ClassNetwork]
        The networks of the classes.
    masks : tuple[int, ...]
        The new neighbourhoods, one bitmask per node (:func:`ng_masks`).

    Returns
    -------
    list[ClassNetwork]
        Copies of ``networks`` with ``masks``.
    """
    if not networks:
        return []
    first = dataclasses.replace(networks[0], ng_masks=masks)
    first.memory_moves  # noqa: B018 -- built here once, carried to every class below
    return [first, *(_with_tables_of(first, dataclasses.replace(net, ng_masks=masks)) for net in networks[1:])]


def is_ng_route(stops: tuple[int, ...], masks: tuple[int, ...]) -> bool:
    """True when the route is an ng-route for ``masks``: no DC is revisited while it is remembered.

    Parameters
    ----------
    stops : tuple[int, ...]
        The route's DC indices in driving order.
    masks : tuple[int, ...]
        The ng-neighbourhoods (:func:`ng_masks`).

    Returns
    -------
    bool
        Whether the pricing over ``masks`` can produce the route.
    """
    memory = 0
    for v in stops:
        if memory >> v & 1:
            return False
        memory = (memory & masks[v]) | 1 << v
    return True


def grow_ng_masks(
    masks: tuple[int, ...], routes: list[tuple[int, ...]], max_size: int = MAX_NG_SIZE
) -> tuple[int, ...]:
    """The neighbourhoods enlarged so that the cycles of ``routes`` are no longer ng-routes.

    For every DC v a route visits twice, v joins the neighbourhood of each DC driven to between the
    two visits (while that neighbourhood has fewer than ``max_size`` members): the memory then keeps v
    along the cycle (dynamic ng-routes, Roberti and Mingozzi 2014).  Any neighbourhoods give a
    relaxation of the elementary routes, so every bound stays valid; larger ones give a stronger one.

    Parameters
    ----------
    masks : tuple[int, ...]
        The neighbourhoods.
    routes : list[tuple[int, ...]]
        Routes (DC indices in driving order), typically the LP's non-elementary ones.
    max_size : int
        No neighbourhood grows beyond this many members.

    Returns
    -------
    tuple[int, ...]
        The new neighbourhoods (equal to ``masks`` when nothing could be added).
    """
    grown = list(masks)
    for stops in routes:
        last: dict[int, int] = {}
        for position, v in enumerate(stops):
            if v in last:
                for u in stops[last[v] + 1 : position]:
                    if not grown[u] >> v & 1 and grown[u].bit_count() < max_size:
                        grown[u] |= 1 << v
            last[v] = position
    return tuple(grown)


def class_networks(
    instance: Instance,
    classes: Sequence[VehicleClass],
    rates: list[RouteRates] | None = None,
    load: np.ndarray | None = None,
) -> list[ClassNetwork]:
    """The pricing network of every class, from the exact arc reductions of the strong model.

    Loads are counted in units u: whole multiples of the demand grain when that keeps the capacity
    below MAX_LOAD_UNITS, else Q_max / MAX_LOAD_UNITS.  Rounding each demand *down* to units and the
    capacity down too keeps every feasible route feasible (sum of floors <= floor of sum).

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : Sequence[VehicleClass]
        Its vehicle classes (:func:`~milp_milkrun.implied.vehicle_classes`).
    rates : list[RouteRates], optional
        Per class, the load term of a load-dependent objective and the cost per hour of route duration;
        None: there are none.
    load : np.ndarray, optional
        The per-node load that term weighs; None: the demand.

    Returns
    -------
    list[ClassNetwork]
        One network per class, in the order of ``classes``.
    """
    n = instance.n_dcs + 1
    unit = _load_unit(instance, classes)
    units = np.floor(instance.demand / unit + FLOAT_NOISE).astype(int)
    weights = load if load is not None else instance.demand
    reach = shortest_paths(instance)[0, :]
    masks = ng_masks(instance.distance)
    networks = []
    arcs = directed_arcs(instance, classes)
    for k, vc in enumerate(classes):
        allowed = np.zeros((n, n), dtype=bool)
        for i, j, kk in arcs:
            allowed[i, j] |= kk == k
        per_hour = rates[k].per_hour if rates is not None else 0.0
        times = time_network(instance, vc.vehicle_type, per_hour) if instance.has_time else None
        if times is not None:
            allowed &= time_admits(instance, times, vc.vehicle_type)
        resources = RouteResources.of_class(instance, vc)
        capacity = math.floor(resources.load.ceiling / unit + FLOAT_NOISE)  # the checker's allowance, in units
        load_rate = rates[k].per_unit_km if rates is not None else 0.0
        networks.append(
            ClassNetwork(
                instance.distance,
                allowed,
                units,
                capacity,
                int(resources.stops.limit),
                resources,
                masks,
                load_rate,
                weights,
                reach,
                times,
            )
        )
    return networks


def _load_unit(instance: Instance, classes: Sequence[VehicleClass]) -> float:
    grain = demand_grain(instance)
    largest = max((vc.capacity for vc in classes), default=1.0)
    if grain and largest / grain <= MAX_LOAD_UNITS:
        return float(grain)
    return max(largest / MAX_LOAD_UNITS, 1e-12)


def ng_masks(distance: np.ndarray, size: int = NG_SIZE) -> tuple[int, ...]:
    """Bitmask of the ``size`` nearest DCs of each DC (itself included); 0 for the hub.

    Parameters
    ----------
    distance : np.ndarray
        The distance matrix (node 0 is the hub).
    size : int
        The ng-neighbourhood size, 1 to MAX_NG_SIZE.

    Returns
    -------
    tuple[int, ...]
        One bitmask per node.
    """
    if not 1 <= size <= MAX_NG_SIZE:
        raise ValueError(f"ng-neighbourhood size must be 1..{MAX_NG_SIZE}, got {size}")
    n = len(distance)
    masks = [0]
    for i in range(1, n):
        order = [j for j in np.argsort(distance[i, 1:] + distance[1:, i]) + 1 if j != i][: size - 1]
        masks.append(sum(1 << int(j) for j in (i, *order)))
    return tuple(masks)
