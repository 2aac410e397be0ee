"""Pricing for column generation: the cheapest route of one vehicle class under given duals.

A route's reduced cost is ``d(route) - sum_i pi_i a_i(route) - mu_k``.  The pricer is a labelling
algorithm over **ng-routes** (Baldacci, Mingozzi and Roberti 2011): a route may revisit a DC only
after leaving that DC's ng-neighbourhood (its ``NG_SIZE`` nearest DCs), so every elementary route is
an ng-route and the minimum over ng-routes is a lower bound on the minimum over real routes.
Load (5), distance (6) and stop count (7) are carried as resources and checked on every extension;
forbidden DCs (8, 9), consecutive pairs (10) and damaged roads (11) are the class's arc set.

``exact=True`` prices completely: the value returned is min(0, true minimum over ng-routes), which
:mod:`milp_milkrun.solve.column_generation` turns into a certified Lagrangian bound.  ``exact=False``
is the fast heuristic used while plenty of negative routes exist: few successors per DC and few labels
per DC and stop count.  Both prune a label when even the best completion (a relaxation computed by
:func:`completion_bounds`: no elementarity, no distance) cannot make the route's reduced cost negative.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from milp_milkrun.instance import Instance
from milp_milkrun.models.strong import (
    VehicleClass,
    demand_grain,
    directed_arcs,
    shortest_paths,
)

NG_SIZE = 8  # ng-neighbourhood size: larger is a tighter relaxation but slower pricing
HEURISTIC_SUCCESSORS = 10  # heuristic pricing extends each label to this many cheapest successors
HEURISTIC_LABELS = 30  # ... and keeps at most this many labels per DC and stop count
NEGATIVE = -1e-7  # a reduced cost below this is negative
MAX_LOAD_UNITS = 400  # the completion bound has one row per load unit; coarser units beyond this
LIMIT_TOLERANCE = 1e-6  # the checker's relative tolerance: a route it accepts must stay in the relaxation


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
    max_distance: float
    return_distance: np.ndarray  # shortest way from each node back to the hub (prunes by (6))
    ng_masks: tuple[int, ...]  # bit j set in ng_masks[i]: j is in the ng-neighbourhood of i

    @cached_property
    def ng_lists(self) -> tuple[tuple[int, ...], ...]:
        """The members of each ng-neighbourhood, in a fixed order (bit p of a local memory = member p)."""
        return tuple(tuple(j for j in range(len(self.load)) if mask >> j & 1) for mask in self.ng_masks)


def class_networks(instance: Instance, classes: list[VehicleClass]) -> list[ClassNetwork]:
    """The pricing network of every class, from the exact arc reductions of the strong model.

    Loads are counted in units u: whole multiples of the demand grain when that keeps the capacity
    below MAX_LOAD_UNITS, else Q_max / MAX_LOAD_UNITS.  Rounding each demand *down* to units and the
    capacity down too keeps every feasible route feasible (sum of floors <= floor of sum).
    """
    n = instance.n_dcs + 1
    unit = _load_unit(instance, classes)
    load = np.floor(instance.demand / unit + 1e-9).astype(int)
    back = shortest_paths(instance)[:, 0]
    masks = ng_masks(instance.distance)
    networks = []
    arcs = directed_arcs(instance, classes)
    for k, vc in enumerate(classes):
        allowed = np.zeros((n, n), dtype=bool)
        for i, j, kk in arcs:
            allowed[i, j] |= kk == k
        limit = math.inf if vc.max_distance is None else vc.max_distance * (1 + LIMIT_TOLERANCE) + LIMIT_TOLERANCE
        capacity = math.floor(vc.capacity * (1 + LIMIT_TOLERANCE) / unit + 1e-9)
        networks.append(ClassNetwork(instance.distance, allowed, load, capacity, vc.max_stops, limit, back, masks))
    return networks


def _load_unit(instance: Instance, classes: list[VehicleClass]) -> float:
    grain = demand_grain(instance)
    largest = max((vc.capacity for vc in classes), default=1.0)
    if grain and largest / grain <= MAX_LOAD_UNITS:
        return float(grain)
    return max(largest / MAX_LOAD_UNITS, 1e-12)


class PricingTimeout(Exception):
    """The deadline passed during pricing: no minimum is known, no bound may be drawn."""


@dataclass(frozen=True)
class PricedRoute:
    reduced_cost: float
    stops: tuple[int, ...]


@dataclass(frozen=True)
class PricingResult:
    routes: list[PricedRoute]  # negative reduced cost, cheapest first
    minimum: float  # exact pricing: min(0, minimum reduced cost over ng-routes); heuristic: NaN
    labels: int


def ng_masks(distance: np.ndarray, size: int = NG_SIZE) -> tuple[int, ...]:
    """Bitmask of the ``size`` nearest DCs of each DC (itself included); 0 for the hub."""
    n = len(distance)
    masks = [0]
    for i in range(1, n):
        order = [j for j in np.argsort(distance[i, 1:] + distance[1:, i]) + 1 if j != i][: size - 1]
        masks.append(sum(1 << int(j) for j in (i, *order)))
    return tuple(masks)


def completion_bounds(net: ClassNetwork, arc_cost: np.ndarray) -> np.ndarray:
    """bound[h, c, j]: the least reduced cost from DC j back to the hub with at most h more DCs and c
    more load units -- over walks (DCs may repeat, distance ignored), so below every real completion."""
    n = len(arc_cost)
    back = np.where(net.allowed[:, 0], arc_cost[:, 0], np.inf)
    bound = np.empty((net.max_stops, net.capacity + 1, n))
    bound[0] = back[None, :]
    step = np.where(net.allowed, arc_cost, np.inf)
    step[:, 0] = np.inf
    for h in range(1, net.max_stops):
        for c in range(net.capacity + 1):
            rest = c - net.load  # load units left after the next DC l
            ahead = np.where(rest >= 0, bound[h - 1, np.clip(rest, 0, None), np.arange(n)], np.inf)
            bound[h, c] = np.minimum(back, (step + ahead[None, :]).min(axis=1))
    return bound


def price(
    net: ClassNetwork, arc_cost: np.ndarray, start_cost: float, *, exact: bool, max_routes: int, deadline: float = math.inf
) -> PricingResult:
    """Routes of negative reduced cost; ``arc_cost[i, j] = d_ij - pi_j``, ``start_cost = -mu_k``.

    Raises PricingTimeout when ``deadline`` (a ``time.perf_counter`` value) passes.
    """
    bound = completion_bounds(net, arc_cost)
    n = len(arc_cost)
    successors = _successors(net, arc_cost, exact)
    # a label: (cost, load, distance, ng memory, node, parent label)
    kept: list[_Pool | None] = [None] * n
    level = []
    for j in successors[0]:
        label = (start_cost + arc_cost[0, j], int(net.load[j]), float(net.distance[0, j]), 1 << j, j, None)
        level.append(label)
    finished: list[tuple[float, tuple]] = []
    labels = 0
    for stops in range(1, net.max_stops + 1):
        level = _admit(level, kept, net, exact, deadline)
        labels += len(level)
        for label in level:
            cost, _, dist, _, node, _ = label
            if net.allowed[node, 0] and dist + net.distance[node, 0] <= net.max_distance:
                total = cost + arc_cost[node, 0]
                if total < NEGATIVE:
                    finished.append((total, label))
        if stops == net.max_stops:
            break
        level = list(_extend(level, successors, arc_cost, net, bound, stops, deadline))
    finished.sort(key=lambda f: f[0])
    routes = [PricedRoute(total, _path(label)) for total, label in finished[:max_routes]]
    minimum = min(0.0, finished[0][0]) if finished else 0.0
    return PricingResult(routes, minimum if exact else math.nan, labels)


def _successors(net: ClassNetwork, arc_cost: np.ndarray, exact: bool) -> list[list[int]]:
    out = []
    for i in range(len(arc_cost)):
        js = [int(j) for j in np.flatnonzero(net.allowed[i]) if j != 0]
        js.sort(key=lambda j: arc_cost[i, j])
        out.append(js if exact or i == 0 else js[:HEURISTIC_SUCCESSORS])
    return out


def _extend(level, successors, arc_cost, net: ClassNetwork, bound, stops: int, deadline: float):
    """Every feasible one-DC extension of the labels in ``level`` that can still turn negative."""
    left = net.max_stops - stops - 1  # DCs that may follow the new one
    for label in level:
        if time.perf_counter() > deadline:
            raise PricingTimeout
        cost, load, dist, memory, i, _ = label
        for j in successors[i]:
            if memory >> j & 1:
                continue
            load2 = load + int(net.load[j])
            if load2 > net.capacity:
                continue
            dist2 = dist + net.distance[i, j]
            if dist2 + net.return_distance[j] > net.max_distance:
                continue
            cost2 = cost + arc_cost[i, j]
            if cost2 + bound[left, net.capacity - load2, j] >= NEGATIVE:
                continue
            yield (cost2, load2, dist2, (memory & net.ng_masks[j]) | (1 << j), j, label)


def _admit(level, kept: list[_Pool | None], net: ClassNetwork, exact: bool, deadline: float) -> list[tuple]:
    """Drop the labels of ``level`` dominated by a kept label or by a cheaper one of the same level.

    Label a dominates b at the same DC when a costs, loads, drives and remembers no more than b and has
    no more stops (it is kept from an earlier level, or is of the same level).  Vectorised with numpy:
    the ng memory at DC j is a subset of j's neighbourhood, so it fits in a small bitmask local to j.
    """
    by_node: dict[int, list[tuple]] = {}
    for label in level:
        by_node.setdefault(label[4], []).append(label)
    admitted = []
    for node, labels in by_node.items():
        if time.perf_counter() > deadline:
            raise PricingTimeout
        labels.sort(key=lambda lab: lab[0])
        if not exact:
            labels = labels[:HEURISTIC_LABELS]
        fresh = _Pool.of(labels, net.ng_lists[node])
        keep = ~fresh.dominated_by(kept[node]) & ~fresh.dominated_by(fresh, earlier_only=True)
        kept[node] = _Pool.join(kept[node], fresh.select(keep))
        admitted.extend(label for label, k in zip(labels, keep) if k)
    return admitted


class _Pool:
    """Labels at one DC as arrays: cost, load, distance and the local ng-memory bitmask."""

    CHUNK = 512  # rows per broadcast block: bounds the memory of the pairwise comparison

    def __init__(self, cost: np.ndarray, load: np.ndarray, dist: np.ndarray, memory: np.ndarray) -> None:
        self.cost, self.load, self.dist, self.memory = cost, load, dist, memory

    @classmethod
    def of(cls, labels: list[tuple], ng_list: tuple[int, ...]) -> _Pool:
        local = [sum(1 << p for p, v in enumerate(ng_list) if lab[3] >> v & 1) for lab in labels]
        return cls(
            np.array([lab[0] for lab in labels]),
            np.array([lab[1] for lab in labels]),
            np.array([lab[2] for lab in labels]),
            np.array(local, dtype=np.int64),
        )

    @staticmethod
    def join(a: _Pool | None, b: _Pool) -> _Pool:
        if a is None:
            return b
        return _Pool(*(np.concatenate([x, y]) for x, y in zip(a.arrays(), b.arrays())))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.cost, self.load, self.dist, self.memory

    def select(self, mask: np.ndarray) -> _Pool:
        return _Pool(*(x[mask] for x in self.arrays()))

    def dominated_by(self, other: _Pool | None, *, earlier_only: bool = False) -> np.ndarray:
        """For each label here: does a label of ``other`` dominate it (``earlier_only``: one listed before it)?"""
        out = np.zeros(len(self.cost), dtype=bool)
        if other is None or not len(other.cost):
            return out
        for lo in range(0, len(self.cost), self.CHUNK):
            rows = slice(lo, lo + self.CHUNK)
            hit = (
                (other.cost[None, :] <= self.cost[rows, None])
                & (other.load[None, :] <= self.load[rows, None])
                & (other.dist[None, :] <= self.dist[rows, None])
                & ((other.memory[None, :] & ~self.memory[rows, None]) == 0)
            )
            if earlier_only:
                hit &= np.arange(len(other.cost))[None, :] < np.arange(lo, lo + hit.shape[0])[:, None]
            out[rows] = hit.any(axis=1)
        return out


def _path(label) -> tuple[int, ...]:
    nodes = []
    while label is not None:
        nodes.append(label[4])
        label = label[5]
    return tuple(reversed(nodes))
