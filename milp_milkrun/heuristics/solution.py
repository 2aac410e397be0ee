"""A working solution: routes of units with their vehicle, load, stops and length kept up to date.

Every route held by a :class:`Solution` is feasible on its own vehicle at all times (the search only
applies moves it has checked). Units the search could not place yet sit in ``unassigned``: a solution
with unassigned units is a partial plan, never returned; the metaheuristic minimises their number
first and the plan's value second (its distance, or its cost on the vehicles the routes use), so
the plan it returns is always a complete, feasible one.
"""

from __future__ import annotations

from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.time_feasibility import remember, time_mask
from milp_milkrun.limits import SOLVER_TOLERANCE
from milp_milkrun.plan import Plan
from milp_milkrun.plan import Route as PlanRoute


class Route:
    """One vehicle's round trip hub -> units -> hub with cached totals."""

    __slots__ = (
        "vehicle",
        "units",
        "load",
        "size",
        "length",
        "mask",
        "weighted",
        "value",
        "prefix_load",
        "prefix_size",
        "departure",
        "prefix_weight",
    )

    def __init__(self, vehicle: int, units: list[int], load: float, size: int, length: float, mask: int) -> None:
        self.vehicle = vehicle
        self.units = units
        self.load = load
        self.size = size
        self.length = length
        self.mask = mask
        self.weighted = 0.0  # sum_j q_j x distance from the hub to j (kept only with a load term)
        self.value = 0.0  # what the route costs on its vehicle (set by Solution._write)
        self.prefix_load: list[float] = []  # load of units[:k] at index k (set by Solution._write)
        self.prefix_size: list[int] = []
        self.departure: list[float] = []  # with typed costs: distance driven when leaving units[k-1] (0 at k=0)
        self.prefix_weight: list[float] = []  # with a load term: load weight of units[:k] at index k

    def copy(self) -> Route:
        other = Route(self.vehicle, list(self.units), self.load, self.size, self.length, self.mask)
        other.weighted, other.value = self.weighted, self.value
        other.prefix_load, other.prefix_size, other.departure = (
            self.prefix_load,
            self.prefix_size,
            self.departure,
        )  # never mutated in place
        other.prefix_weight = self.prefix_weight
        return other


def route_totals(p: Problem, units: list[int]) -> tuple[float, int, float, int]:
    """Load, stop count, length and allowed-vehicle mask of a unit sequence, from scratch.

    Parameters
    ----------
    p : Problem
        The compiled instance.
    units : list[int]
        A route's units in driving order.

    Returns
    -------
    tuple[float, int, float, int]
        The load, the number of DCs, the length from the hub back to the hub, and the bitmask of the
        vehicles allowed to serve every unit and, with time, to drive the route in time (Eq 15-18).
    """
    load, size, mask = 0.0, 0, p.all_vehicles
    for u in units:
        load += p.demand[u]
        size += p.size[u]
        mask &= p.mask[u]
    if p.time is not None and units and mask:
        mask &= time_mask(p.time, units)
    return load, size, p.route_length(units), mask


class Solution:
    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.routes: list[Route] = []
        self.route_of: list[Route | None] = [None] * (problem.n_units + 1)
        self.pos_of: list[int] = [0] * (problem.n_units + 1)
        self.free = problem.all_vehicles  # bit mask of vehicles without a route
        self.unassigned: set[int] = set(range(1, problem.n_units + 1))

    # ----- queries ----------------------------------------------------------------------------
    @property
    def cost(self) -> float:
        """The plan's value: its distance, or its cost on the vehicles the routes use."""
        return sum(r.value for r in self.routes)

    @property
    def n_unassigned(self) -> int:
        return len(self.unassigned)

    def key(self) -> tuple[int, float]:
        """What the search minimises: unplaced units first, then the plan's value."""
        return len(self.unassigned), self.cost

    def copy(self) -> Solution:
        other = Solution.__new__(Solution)
        other.p = self.p
        other.routes = [r.copy() for r in self.routes]
        other.route_of = [None] * len(self.route_of)
        for r in other.routes:
            for u in r.units:
                other.route_of[u] = r
        other.pos_of = list(self.pos_of)
        other.free = self.free
        other.unassigned = set(self.unassigned)
        return other

    def to_plan(self) -> Plan:
        routes = sorted(self.routes, key=lambda r: r.vehicle)
        return Plan(tuple(PlanRoute(self.p.vehicle_names[r.vehicle], self.p.stops_of(r.units)) for r in routes))

    # ----- updates (callers have checked feasibility) -----------------------------------------
    def set_route(self, route: Route | None, units: list[int], vehicle: int) -> Route | None:
        """Give ``route`` (or a new route when None) these units and this vehicle; drop it if empty."""
        if route is not None:
            self.free |= 1 << route.vehicle
            if not units:
                self.routes.remove(route)
                return None
        elif not units:
            return None
        return self._write(route, units, vehicle)

    def _write(self, route: Route | None, units: list[int], vehicle: int) -> Route:
        """Store units and vehicle in ``route`` (new when None); the vehicle must be free."""
        load, size, length, mask = route_totals(self.p, units)
        if self.p.time is not None:  # later candidates start from this route's prefixes and suffixes
            remember(self.p.time, units)
        if route is None:
            route = Route(vehicle, units, load, size, length, mask)
            self.routes.append(route)
        else:
            route.vehicle, route.units, route.load, route.size, route.length, route.mask = (
                vehicle,
                units,
                load,
                size,
                length,
                mask,
            )
        p = self.p
        demand, unit_size = p.demand, p.size
        prefix_load, prefix_size = [0.0], [0]
        for u in units:
            prefix_load.append(prefix_load[-1] + demand[u])
            prefix_size.append(prefix_size[-1] + unit_size[u])
        route.prefix_load, route.prefix_size = prefix_load, prefix_size
        if p.typed:
            route.weighted = p.route_weighted(units)
            route.departure = _departures(p, units)
        if p.load_dependent:
            prefix_weight = [0.0]
            for u in units:
                prefix_weight.append(prefix_weight[-1] + p.weight[u])
            route.prefix_weight = prefix_weight
        route.value = p.value(vehicle, length, route.weighted) + p.hourly(vehicle, units)
        assert self.free >> vehicle & 1, "vehicle already in use"
        self.free &= ~(1 << vehicle)
        for k, u in enumerate(units):
            self.route_of[u] = route
            self.pos_of[u] = k
            self.unassigned.discard(u)
        return route

    def apply_changes(self, changes: list[tuple[Route | None, list[int], int]]) -> None:
        """Rewrite several routes at once (vehicles may move between them); a route with no units goes."""
        for route, _, _ in changes:
            if route is not None:
                self.free |= 1 << route.vehicle
                route.vehicle = -1  # released: the vehicle may go to another route of this change
        for route, units, _ in changes:
            if route is not None and not units:
                self.routes.remove(route)
        for route, units, vehicle in changes:
            if units:
                self._write(route, units, vehicle)

    def remove_units(self, removed: list[int]) -> None:
        """Take units out of their routes (they become unassigned); emptied routes free their vehicle.

        Removing a DC can lengthen a route (a damaged road between its neighbours, or a matrix without
        the triangle inequality); a route that no vehicle may then drive is emptied entirely.
        """
        by_route: dict[int, tuple[Route, set[int]]] = {}
        for u in removed:
            r = self.route_of[u]
            if r is None:
                continue
            by_route.setdefault(id(r), (r, set()))[1].add(u)
        for r, gone in by_route.values():
            rest = [u for u in r.units if u not in gone]
            totals = route_totals(self.p, rest)
            vehicle = r.vehicle
            if rest and not self.p.fits(vehicle, *totals):
                load, size, length, mask = totals
                vehicle, _ = self.p.cheapest_free_fit(
                    self.free | (1 << r.vehicle), load, size, length, self.p.route_weighted(rest), mask
                )
                if vehicle < 0:
                    gone.update(rest)
                    rest = []
            for u in gone:
                self.route_of[u] = None
                self.unassigned.add(u)
            self.set_route(r, rest, vehicle)

    def insert(self, u: int, route: Route | None, position: int, vehicle: int) -> None:
        """Insert unit u at ``position`` of ``route`` (or open a new route), driven by ``vehicle``."""
        if route is None:
            self.set_route(None, [u], vehicle)
        else:
            units = route.units
            self.set_route(route, [*units[:position], u, *units[position:]], vehicle)

    def is_consistent(self) -> bool:
        """Every route feasible on its vehicle, totals exact, each unit exactly once (for tests)."""
        p = self.p
        seen: list[int] = []
        used = 0
        for r in self.routes:
            load, size, length, mask = route_totals(p, r.units)
            if (
                not r.units
                or abs(length - r.length) > SOLVER_TOLERANCE * max(1.0, length)
                or not p.fits(r.vehicle, load, size, length, mask)
            ):
                return False
            value = p.value(r.vehicle, length, p.route_weighted(r.units)) + p.hourly(r.vehicle, r.units)
            if abs(value - r.value) > SOLVER_TOLERANCE * max(1.0, abs(value)):
                return False
            if used >> r.vehicle & 1:
                return False
            used |= 1 << r.vehicle
            seen += r.units
            if any(self.route_of[u] is not r or self.pos_of[u] != k for k, u in enumerate(r.units)):
                return False
        return (
            len(seen) == len(set(seen))
            and set(seen) | self.unassigned == set(range(1, p.n_units + 1))
            and not set(seen) & self.unassigned
            and self.free == p.all_vehicles & ~used
        )


def _departures(p: Problem, units: list[int]) -> list[float]:
    """Distance driven when the route leaves units[k-1], at index k (index 0: the hub, 0)."""
    cost, inner = p.cost, p.inner
    out, prev, driven = [0.0], 0, 0.0
    for u in units:
        driven += cost[prev][u] + inner[u]
        out.append(driven)
        prev = u
    return out
