"""The instance compiled into flat arrays the search reads in its inner loops.

The search works on *units* (chains of consecutive DCs, see :mod:`.chains`), numbered 1..U; unit 0 is
the hub. ``cost[a][b]`` is the directed distance from the last DC of unit a to the first DC of unit b,
so asymmetric matrices are handled exactly. A damaged road (equation 11) costs ``BLOCKED``, far above
every route limit, so a route using it fails the distance test like any over-long route and no move
ever needs a separate damaged-road check. Forbidden DC-vehicle pairs (8, 9) become per-unit bit masks
of allowed vehicles. Python lists, not numpy arrays, hold the data the loops index one scalar at a
time: a list lookup is several times faster than a numpy scalar lookup.

What a route is worth is priced per vehicle: ``fixed[v] + per_km[v] * length + per_unit_km[v] *
weighted``, where ``weighted`` = sum_j w_j * (distance driven from the hub to DC j) is the
load-dependent term of an emissions objective (w_j: DC j's load weight, its demand scaled by its
unit mass). The distance objective is (0, 1, 0) for every vehicle. With time a cost per hour adds
``per_hour[v] * duration / 60`` (the route's shortest duration, :meth:`Problem.hourly`) to a route's
exact value; the moves' estimates leave it out and the exact pricing of a move includes it.
When every vehicle has the same rates, no fixed cost and no load term (``typed`` False), a route's
value is its length times one rate, so the search prices moves by distance deltas alone and a vehicle
change never changes the value; otherwise (``typed``) it also chooses the vehicle a route is worth
least on, and inserting a unit into an empty vehicle pays that vehicle's fixed cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from milp_milkrun.heuristics.time_feasibility import TimeData, compile_time, pair_penalty, shortest_duration
from milp_milkrun.implied import delivery_units
from milp_milkrun.instance import Instance
from milp_milkrun.limits import allowance
from milp_milkrun.route_resources import RouteResources

BLOCKED = 1e13  # cost of a damaged arc: exceeds NO_LIMIT, so any route using one is infeasible
NO_LIMIT = 1e11  # stands for "no distance limit"; real routes are far shorter
NEIGHBOURS = 40  # granular search: each unit considers moves next to its nearest units only


@dataclass(frozen=True)
class VehicleGroup:
    """Vehicles that are interchangeable: same type and the same allowed units."""

    members: int  # bit mask of vehicle indices
    capacity: float
    max_distance: float
    max_stops: int
    load_limit: float  # allowance(capacity)
    fixed: float  # fixed cost of a route on one of its vehicles
    per_km: float  # and its cost per unit of length


@dataclass(eq=False)
class Problem:
    instance: Instance
    units: list[tuple[int, ...]]  # node indices per unit; units[0] = () is the hub
    cost: list[list[float]]
    inner: list[float]  # distance driven inside a chain
    demand: list[float]
    size: list[int]  # DCs in the unit (stops it uses)
    mask: list[int]  # bit v set when vehicle v may serve every DC of the unit
    capacity: list[float]
    max_distance: list[float]
    max_stops: list[int]
    vehicle_names: list[str]
    classes: list[VehicleGroup]  # smallest capacity first
    neighbours: list[list[int]]
    mean_arc: float  # a typical arc length: scales the annealing temperature
    fixed: list[float]  # per vehicle: what using it costs
    per_km: list[float]  # per vehicle: cost per unit of route length
    per_unit_km: list[float]  # per vehicle: cost per unit of load carried one unit of distance
    weight: list[float]  # load weight of a unit (what the load term counts: demand x mass ratio)
    unit_weighted: list[float]  # sum over a unit's DCs of load weight x distance from the unit's first DC
    typed: bool  # vehicles differ in what a route costs (fixed costs, rates or a load term)
    load_dependent: bool  # some vehicle has a load term: routes keep their weighted sum
    load_limit: list[float]  # per vehicle: the largest load within its capacity (limits.allowance)
    distance_limit: list[float]  # per vehicle: the longest route within its distance limit
    time: TimeData | None = None  # windows, hub hours and shifts (Eq 15-18); None without time
    per_hour: list[float] = field(default_factory=list)  # per vehicle: cost per hour of route duration (time only)

    @property
    def n_units(self) -> int:
        return len(self.units) - 1

    @property
    def all_vehicles(self) -> int:
        return (1 << len(self.vehicle_names)) - 1

    def fits(self, v: int, load: float, size: int, length: float, mask: int) -> bool:
        """True when vehicle v may drive a route with this load, stop count, length and allowed mask."""
        return (
            (mask >> v) & 1 == 1
            and load <= self.load_limit[v]
            and size <= self.max_stops[v]
            and length <= self.distance_limit[v]
        )

    def least_value(self, free: int, v: int, load: float, size: int, length: float, other: int = -1) -> float:
        """Fixed plus per-km cost of a route of this load, stops and length on vehicle v, on vehicle
        ``other`` (the other route of a two-route move: the routes may trade vehicles), or on the
        cheapest class with a free vehicle that may carry it; -1 stands for no vehicle. Distance
        limits, forbidden DCs and the load term are left to the exact test; inf when none can."""
        best = math.inf
        for w in (v, other):
            if w >= 0 and load <= self.load_limit[w] and size <= self.max_stops[w]:
                best = min(best, self.fixed[w] + self.per_km[w] * length)
        for cls in self.classes:
            if cls.members & free and load <= cls.load_limit and size <= cls.max_stops:
                value = cls.fixed + cls.per_km * length
                if value < best:
                    best = value
        return best

    def base_value(self, v: int, length: float) -> float:
        """Fixed plus per-km cost of a route of this length on vehicle v (the value without its load term)."""
        return self.fixed[v] + self.per_km[v] * length

    def smallest_free_fit(self, free: int, load: float, size: int, length: float, mask: int) -> int:
        """The lowest-index free vehicle of the smallest class that fits, or -1.

        Smallest first keeps the large vehicles for the routes that need them (a tight fleet).
        """
        for cls in self.classes:
            candidates = cls.members & free & mask
            if not candidates:
                continue
            v = (candidates & -candidates).bit_length() - 1
            if self.fits(v, load, size, length, mask):
                return v
        return -1

    def hourly(self, v: int, units: list[int]) -> float:
        """What the duration of a route of these units costs on vehicle v (0 without a cost per hour)."""
        if not self.per_hour or not self.per_hour[v] or self.time is None:
            return 0.0
        return self.per_hour[v] * shortest_duration(self.time, units, v) / 60.0

    def value(self, v: int, length: float, weighted: float) -> float:
        """What a route of this length and load-weighted distance costs on vehicle v."""
        return self.fixed[v] + self.per_km[v] * length + self.per_unit_km[v] * weighted

    def cheapest_free_fit(
        self, free: int, load: float, size: int, length: float, weighted: float, mask: int
    ) -> tuple[int, float]:
        """The free vehicle on which this route is worth least (the smallest class on a tie), and its value.

        Returns (-1, inf) when no free vehicle fits. Without ``typed`` rates it is
        :meth:`smallest_free_fit`.
        """
        best, best_value = -1, math.inf
        for cls in self.classes:
            candidates = cls.members & free & mask
            if not candidates:
                continue
            v = (candidates & -candidates).bit_length() - 1
            if self.fits(v, load, size, length, mask):
                value = self.value(v, length, weighted)
                if value < best_value:
                    best, best_value = v, value
        return best, best_value

    def route_weighted(self, units: list[int]) -> float:
        """sum_j w_j * (distance from the hub to DC j) along the route; 0 without a load term."""
        if not self.load_dependent:
            return 0.0
        cost, inner, weight, unit_weighted = self.cost, self.inner, self.weight, self.unit_weighted
        prev, driven, total = 0, 0.0, 0.0
        for u in units:
            driven += cost[prev][u]
            total += weight[u] * driven + unit_weighted[u]
            driven += inner[u]
            prev = u
        return total

    def route_length(self, units: list[int]) -> float:
        cost, inner = self.cost, self.inner
        prev, total = 0, 0.0
        for u in units:
            total += cost[prev][u] + inner[u]
            prev = u
        return total + cost[prev][0]

    def stops_of(self, units: list[int]) -> tuple[str, ...]:
        ids = self.instance.node_ids
        return tuple(ids[node] for u in units for node in self.units[u])


def compile_problem(
    instance: Instance,
    rates: Sequence[tuple[float, ...]] | None = None,
    load_weights: Sequence[float] | np.ndarray | None = None,
    neighbours: int = NEIGHBOURS,
) -> Problem:
    """Build the search arrays of ``instance``.

    Parameters
    ----------
    instance : Instance
        The instance.
    rates : sequence of (float, float, float[, float]), optional
        Per vehicle of ``instance.vehicles``: (fixed, per_km, per_unit_km, optionally per_hour) of a
        route it drives; None prices every route by its length (the distance objective).
    load_weights : sequence of float, optional
        Per node: what the load term counts of its demand (None: the demand itself).
    neighbours : int
        How many nearest units each unit keeps (the granular neighbourhoods).

    Returns
    -------
    Problem
        Units, costs, vehicles, their limits and rates as flat arrays.
    """
    chains = list(delivery_units(instance))
    index = instance.index
    d = np.array(instance.distance, dtype=float)
    for a, b in instance.damaged_roads:
        d[index[a], index[b]] = d[index[b], index[a]] = BLOCKED
    firsts = np.array([0, *(c[0] for c in chains)])
    lasts = np.array([0, *(c[-1] for c in chains)])
    unit_cost = d[np.ix_(lasts, firsts)]
    unit_cost[0, 0] = 0.0  # an empty route costs nothing (merge moves rely on it)
    vehicles = instance.vehicles
    node_ids = instance.node_ids
    masks = [(1 << len(vehicles)) - 1]
    for chain in chains:
        mask = 0
        for v, vehicle in enumerate(vehicles):
            if all(instance.is_allowed(node_ids[n], vehicle.name) for n in chain):
                mask |= 1 << v
        masks.append(mask)
    of_type = {vt.name: RouteResources.of_type(instance, vt) for vt in instance.vehicle_types}
    limits = [of_type[v.type.name] for v in vehicles]  # each vehicle's resources: its type's limits
    capacity = [r.load.limit for r in limits]
    max_distance = [r.distance.limit if math.isfinite(r.distance.limit) else NO_LIMIT for r in limits]
    max_stops = [int(r.stops.limit) for r in limits]
    priced: list[tuple[float, ...]] = (
        [tuple(float(x) for x in r) for r in rates] if rates is not None else [(0.0, 1.0, 0.0)] * len(vehicles)
    )
    if len(priced) != len(vehicles):
        raise ValueError(f"rates for {len(priced)} vehicles, the instance has {len(vehicles)}")
    load_dependent = any(r[2] != 0.0 for r in priced)
    weights = [float(w) for w in (load_weights if load_weights is not None else instance.demand)]
    classes = _vehicle_classes(instance, masks, capacity, max_distance, max_stops, priced)
    time = compile_time(instance, [(), *chains])
    near = unit_cost if time is None else unit_cost + pair_penalty(time)  # time: no hopeless neighbours, waiting counts
    return Problem(
        instance=instance,
        units=[(), *chains],
        cost=unit_cost.tolist(),
        inner=[0.0, *(float(sum(d[a, b] for a, b in zip(c, c[1:]))) for c in chains)],
        demand=[0.0, *(float(sum(instance.demand[n] for n in c)) for c in chains)],
        size=[0, *(len(c) for c in chains)],
        mask=masks,
        capacity=capacity,
        max_distance=max_distance,
        max_stops=max_stops,
        vehicle_names=[v.name for v in vehicles],
        classes=classes,
        neighbours=_neighbour_lists(near, neighbours),
        mean_arc=_mean_arc(unit_cost),
        fixed=[r[0] for r in priced],
        per_km=[r[1] for r in priced],
        per_unit_km=[r[2] for r in priced],
        weight=[0.0, *(float(sum(weights[n] for n in c)) for c in chains)],
        unit_weighted=[0.0, *(_chain_weighted(weights, d, c) for c in chains)],
        typed=load_dependent
        or len(set(priced)) > 1
        or any(r[0] != 0.0 or (len(r) > 3 and r[3] != 0.0) for r in priced),
        load_dependent=load_dependent,
        load_limit=[r.load.ceiling for r in limits],
        distance_limit=[allowance(m) for m in max_distance],
        time=time,
        per_hour=[r[3] if len(r) > 3 else 0.0 for r in priced] if time is not None else [],
    )


def _chain_weighted(weights: list[float], d: np.ndarray, chain: tuple[int, ...]) -> float:
    """sum over the chain's DCs of load weight x distance driven from the chain's first DC."""
    driven, total = 0.0, 0.0
    for a, b in zip(chain, chain[1:]):
        driven += float(d[a, b])
        total += weights[b] * driven
    return total


def _vehicle_classes(
    instance: Instance,
    masks: list[int],
    capacity: list[float],
    max_distance: list[float],
    max_stops: list[int],
    rates: list[tuple[float, ...]],
) -> list[VehicleGroup]:
    groups: dict[tuple[object, ...], int] = {}
    for v, vehicle in enumerate(instance.vehicles):
        allowed_units = tuple((m >> v) & 1 for m in masks)
        key = (vehicle.type.name, allowed_units)
        groups[key] = groups.get(key, 0) | (1 << v)
    classes = []
    for members in groups.values():
        v = (members & -members).bit_length() - 1
        classes.append(
            VehicleGroup(
                members, capacity[v], max_distance[v], max_stops[v], allowance(capacity[v]), rates[v][0], rates[v][1]
            )
        )
    return sorted(classes, key=lambda c: (c.capacity, c.max_stops, c.max_distance, c.members))


def _neighbour_lists(unit_cost: np.ndarray, k: int) -> list[list[int]]:
    """Each unit's k nearest units (either direction), nearest first; the hub is nobody's neighbour."""
    n = unit_cost.shape[0]
    closeness = np.minimum(unit_cost, unit_cost.T).astype(float)
    closeness[:, 0] = np.inf
    np.fill_diagonal(closeness, np.inf)
    k = min(k, n - 2)
    result: list[list[int]] = [[]]
    for u in range(1, n):
        order = np.argsort(closeness[u], kind="stable")[:k]
        result.append([int(x) for x in order if math.isfinite(closeness[u, x]) and x != 0])
    return result


def _mean_arc(unit_cost: np.ndarray) -> float:
    """Mean of each unit's distance to its nearest few units: the length scale of a good arc."""
    n = unit_cost.shape[0]
    if n <= 2:
        return float(max(1.0, unit_cost[0, 1:].mean() if n > 1 else 1.0))
    c = np.where(unit_cost >= BLOCKED, np.nan, unit_cost.astype(float))
    np.fill_diagonal(c, np.nan)
    near = np.sort(np.nan_to_num(c[1:, 1:], nan=np.inf), axis=1)[:, : min(5, n - 2)]
    finite = near[np.isfinite(near)]
    return float(finite.mean()) if finite.size and finite.mean() > 0 else 1.0
