"""PyVRP 0.14 (its iterated local search) as an engine of the heuristic, on the instances it can state.

How the formulation is stated to PyVRP, from the compiled :class:`.problem.Problem`:

- every unit (a consecutive chain or a single DC, :func:`milp_milkrun.implied.delivery_units`) is one
  client, entered at its first DC and left from its last; the distance inside the chain is added to
  every edge into it, so route distances (objective and distance limits) stay exact and pairs (10)
  hold by construction;
- stops are a second load dimension: a client delivers its number of DCs, a vehicle carries its
  stop limit (6);
- each group of interchangeable vehicles (same type, same allowed DCs) is one vehicle type with its
  own routing profile, in which every edge into or out of a unit it may not serve is missing
  (forbidden DC-vehicle pairs, 8-9);
- damaged roads (11) are missing edges in every profile; distance limits (7) are ``max_distance``;
- a priced fleet (objective ``cost``: a fixed cost per vehicle used and a cost per unit of length,
  per vehicle type; Golden–Taillard's FSM* and HVRP* variants) is stated exactly: the fixed cost is
  the vehicle type's ``fixed_cost`` (PyVRP counts it once per route, i.e. per vehicle used), and the
  per-km rate is folded into the type's own profile (its edges are rate x length, its
  ``max_distance`` rate x the limit), so PyVRP's distance cost is the route's cost per km; a type with
  no per-km cost keeps its lengths as edges (for its distance limit) with ``unit_distance_cost`` 0.
  Unlimited types are their derived number of vehicles (``num_available``). Without a priced fleet
  (the distance objective, or one rate for all and no fixed cost) every edge is the length itself:
  PyVRP minimises distance, which ranks plans as their cost does;
- PyVRP works in integers: edges (rate x length) are x SCALE and rounded up, limits x SCALE and
  rounded down, fixed costs x SCALE and rounded to the nearest integer (whole values, as CVRPLIB's
  distances, stay as they are: scaled up they would dwarf PyVRP's load penalties, which are bounded,
  and it would struggle to find feasible plans), demands likewise when they are not whole. So a plan
  PyVRP calls feasible keeps the real limits, and PyVRP's cost / scale differs from the toolkit's
  cost of the same plan by less than 1/scale per edge driven plus 0.5/scale per route
  (:func:`rounding_slack`; edges only round up): PyVRP ranks two plans as the toolkit does unless their
  costs differ by less than their two slacks (for Golden–Taillard's 100 customers, about 0.13).

- time (Eq 15-18): each DC's window and service time, the hub's hours (the depot's window and each vehicle type's),
  each type's shift and travel times (its profile's duration matrix), in integers of their own scale
  (:mod:`~milp_milkrun.heuristics.pyvrp_time`).

A DC of several windows, time on a chain of consecutive DCs, a cost per hour beside time, and an objective with a
load term (emissions) are not stated: :func:`refusal` names the reason and the caller runs the own search instead.
Every PyVRP plan is converted back to units and vehicles, priced by the search's own rates and must pass the
independent checker before the search sees it (the engines compare plans by that price, never by PyVRP's cost).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp
from pyvrp.constants import MAX_VALUE
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams

from milp_milkrun.checker import check_plan
from milp_milkrun.heuristics.problem import BLOCKED, NO_LIMIT, Problem, VehicleGroup
from milp_milkrun.heuristics.pyvrp_time import PyvrpTime, pyvrp_time, time_refusal
from milp_milkrun.heuristics.solution import Solution
from milp_milkrun.implied import delivery_units
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.objectives import RouteCosts
from milp_milkrun.runtime.highs import solver_seed

SCALE = 1000  # distances and costs in thousandths of the instance's unit
DEMAND_SCALE = 1000  # fractional demands in thousandths
LOAD_TERM = "PyVRP does not state an objective with a load term (emissions)"


def refusal(p: Problem) -> str | None:
    """Why PyVRP cannot state this compiled instance exactly, in one line; None when it can."""
    if p.load_dependent:
        return LOAD_TERM
    return time_refusal(p.instance, p.units, any(p.per_hour))


def states_instance(instance: Instance, costs: RouteCosts) -> bool:
    """:func:`refusal`'s rule before compiling: whether PyVRP can state ``instance`` under ``costs``."""
    hourly = any(r.per_hour for r in costs.rates.values())
    return not costs.load_dependent and time_refusal(instance, delivery_units(instance), hourly) is None


@dataclass(frozen=True)
class PyvrpModel:
    """The PyVRP data of a problem, which vehicles each PyVRP vehicle type stands for, and the scale
    of PyVRP's integers (its costs and distances are the instance's times ``scale``)."""

    data: pyvrp.ProblemData
    members: list[list[int]]  # vehicle indices (p.vehicle_names) of each vehicle type, in order
    scale: int = 1


def rounding_slack(model: PyvrpModel, n_units: int, n_routes: int) -> float:
    """How far PyVRP's cost / scale of a plan of ``n_routes`` routes may lie from the toolkit's cost of
    it: each edge rounds up by less than one, each fixed cost by at most a half, in PyVRP's integers.
    (With one rate r > 0 for every vehicle and no fixed cost, PyVRP's is the distance: cost / r.)"""
    return (n_units + n_routes + 0.5 * n_routes) / model.scale


def build_model(p: Problem) -> PyvrpModel:
    """The problem in PyVRP's terms (see the module docstring); ``refusal(p)`` must be None."""
    n = p.n_units + 1
    cost = np.array(p.cost, dtype=float) + np.array(p.inner, dtype=float)[None, :]
    blocked = cost >= BLOCKED
    rates = [_edge_rate(p, group) for group in p.classes]
    scale = 1 if _whole(cost[~blocked], rates, [g.fixed for g in p.classes]) else SCALE
    whole = all(float(d).is_integer() for d in p.demand)
    factor = 1 if whole else DEMAND_SCALE
    timed = pyvrp_time(p.instance)
    clients = [_client(p, timed, u, factor) for u in range(1, n)]
    matrices: list[Any] = []  # int64 matrices (the stubs spell their shape oddly)
    durations: list[Any] = []
    vehicle_types, members = [], []
    for k, (group, rate) in enumerate(zip(p.classes, rates)):
        vehicles = [v for v in range(len(p.vehicle_names)) if group.members >> v & 1]
        banned = [u for u in range(1, n) if not p.mask[u] & group.members]
        matrix = np.ceil(np.where(blocked, 0.0, cost) * (rate * scale) * (1 - FLOAT_NOISE))
        matrix[blocked] = MAX_VALUE  # damaged roads: missing in every profile
        matrix = np.minimum(matrix, MAX_VALUE).astype(np.int64)
        matrix[banned, :] = MAX_VALUE
        matrix[:, banned] = MAX_VALUE
        np.fill_diagonal(matrix, 0)
        matrices.append(matrix)
        vehicle_type = p.instance.vehicles[vehicles[0]].type
        durations.append(_duration_matrix(timed, vehicle_type.name, p.units))
        limit = (
            MAX_VALUE
            if group.max_distance >= NO_LIMIT
            else min(MAX_VALUE, math.floor(group.max_distance * rate * scale * (1 + FLOAT_NOISE)))
        )
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(vehicles),
                capacity=[math.floor(group.capacity * factor * (1 + FLOAT_NOISE)), group.max_stops],
                profile=k,
                max_distance=limit,
                fixed_cost=round(group.fixed * scale),
                unit_distance_cost=1 if group.per_km > 0 or not p.typed else 0,
                name=p.vehicle_names[vehicles[0]],
                tw_early=timed.hub[0],
                tw_late=timed.hub[1],
                shift_duration=timed.shift[vehicle_type.name],
            )
        )
        members.append(vehicles)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(n)],
        clients=clients,
        depots=[pyvrp.Depot(location=0, tw_early=timed.hub[0], tw_late=timed.hub[1])],
        vehicle_types=vehicle_types,
        distance_matrices=matrices,
        duration_matrices=durations,
    )
    return PyvrpModel(data, members, scale)


def _client(p: Problem, timed: PyvrpTime, u: int, factor: int) -> pyvrp.Client:
    """Unit u as PyVRP's client: its demand, its stops and (a single DC with time: :func:`time_refusal`) its window
    and service time."""
    node = p.units[u][0]
    return pyvrp.Client(
        location=u,
        delivery=[math.ceil(p.demand[u] * factor * (1 - FLOAT_NOISE)), p.size[u]],
        service_duration=timed.service[node],
        tw_early=timed.windows[node][0],
        tw_late=timed.windows[node][1],
    )


def _duration_matrix(timed: PyvrpTime, vehicle_type: str, units: list[tuple[int, ...]]) -> Any:
    """The travel times of a profile between units (each a single DC with time: :func:`time_refusal`; zeros without
    time). An edge missing from the profile is missing by its distance already."""
    nodes = [0, *(unit[0] for unit in units[1:])]
    return timed.travel[vehicle_type][np.ix_(nodes, nodes)]


def _edge_rate(p: Problem, group: VehicleGroup) -> float:
    """What one unit of length costs on this group's vehicles, as its profile's edges carry it: its
    per-km rate with a priced fleet (1 for a rate of 0: the edges then only measure the distance
    limit), 1 otherwise (distance, or one rate for all, ranks plans alike)."""
    return group.per_km if p.typed and group.per_km > 0 else 1.0


def _whole(lengths: np.ndarray, rates: list[float], fixed: list[float]) -> bool:
    """True when every edge at every rate, and every fixed cost, is a whole number already."""
    return all(float(f).is_integer() for f in fixed) and all(
        bool(np.all(lengths * rate == np.round(lengths * rate))) for rate in set(rates)
    )


@dataclass
class PyvrpRun:
    best: Solution | None  # the best checked plan PyVRP found, as the search's solution
    iterations: int
    interrupted: bool


class PhaseStop:
    """Stop PyVRP at a deadline, after a number of iterations, or when it has stalled: no better plan
    for ``stall_seconds`` (wall time) or ``stall_iterations`` (counted; machine-independent)."""

    def __init__(
        self,
        deadline: float,
        max_iterations: int | None = None,
        stall_seconds: float | None = None,
        stall_iterations: int | None = None,
    ) -> None:
        self.deadline, self.max_iterations = deadline, max_iterations
        self.stall_seconds, self.stall_iterations = stall_seconds, stall_iterations
        self.iterations = self.last_improvement = 0
        self.best_cost: float = math.inf
        self.improved_at = time.perf_counter()

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if best_cost < self.best_cost:
            self.best_cost, self.improved_at, self.last_improvement = best_cost, now, self.iterations
        stop = (
            now >= self.deadline
            or (self.max_iterations is not None and self.iterations >= self.max_iterations)
            or (self.stall_seconds is not None and now - self.improved_at >= self.stall_seconds)
            or (self.stall_iterations is not None and self.iterations - self.last_improvement >= self.stall_iterations)
        )
        self.iterations += not stop  # PyVRP asks once before each iteration
        return stop


class _KeepBest(IteratedLocalSearchCallbacks):
    """Remembers PyVRP's best plan as it goes, so Ctrl-C keeps it."""

    def __init__(self) -> None:
        self.best: pyvrp.Solution | None = None

    def on_best(self, best: pyvrp.Solution) -> None:
        if best.is_feasible():
            self.best = best


def run_pyvrp(p: Problem, model: PyvrpModel, stop: PhaseStop, seed: int, start: Solution | None = None) -> PyvrpRun:
    """PyVRP from ``start`` (a complete solution) or from its own random start, until ``stop``.

    Parameters
    ----------
    p : Problem
        The compiled instance.
    model : PyvrpModel
        ``build_model(p)``.
    stop : PhaseStop
        When to stop.
    seed : int
        PyVRP's seed.
    start : Solution, optional
        Where to start.

    Returns
    -------
    PyvrpRun
        PyVRP's best plan as a checked solution (None when it found none), its iterations, and
        whether Ctrl-C stopped it.
    """
    keeper = _KeepBest()
    params = pyvrp.SolveParams(ils=IteratedLocalSearchParams(callbacks=keeper))
    initial = to_pyvrp(model, start) if start is not None and start.n_unassigned == 0 else None
    interrupted = False
    try:
        with warnings.catch_warnings():  # "struggles to find a feasible solution": the caller's own search follows
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            result = pyvrp.solve(
                model.data, stop, seed=solver_seed(seed), collect_stats=False, params=params, initial_solution=initial
            )
        found = result.best if result.is_feasible() else keeper.best
    except KeyboardInterrupt:  # Ctrl-C: keep PyVRP's best so far
        found, interrupted = keeper.best, True
    return PyvrpRun(from_pyvrp(p, model, found) if found is not None else None, stop.iterations, interrupted)


def to_pyvrp(model: PyvrpModel, sol: Solution) -> pyvrp.Solution:
    """A complete solution of the search as a PyVRP solution (each route on its vehicle's type; unit u
    is PyVRP's client u - 1, clients being numbered from 0)."""
    type_of = {v: k for k, vehicles in enumerate(model.members) for v in vehicles}
    routes = [pyvrp.Route(model.data, [u - 1 for u in r.units], type_of[r.vehicle]) for r in sol.routes]
    return pyvrp.Solution(model.data, routes)


def from_pyvrp(p: Problem, model: PyvrpModel, found: pyvrp.Solution) -> Solution | None:
    """PyVRP's plan as a solution of the search, each route on a free vehicle of its type; None
    unless it is complete and passes the independent checker (it always should: the statement is exact)."""
    sol = Solution(p)
    spare = [list(vehicles) for vehicles in model.members]
    for route in found.routes():
        units = [a.idx + 1 for a in route if a.is_client()]  # client k is unit k + 1
        vehicle = spare[route.vehicle_type()].pop(0)
        sol.set_route(None, units, vehicle)
    if sol.n_unassigned or not check_plan(p.instance, sol.to_plan()).feasible:
        return None
    return sol
