"""The exact model (Equations 1-14 and 2b, and Eq 15-18 with time) built a second time, in PuLP: the
independent cross-check.

It mirrors docs/formulation.md and :mod:`milp_milkrun.models.families` family by family but shares no
code with the Pyomo model (:mod:`milp_milkrun.models.exact`), so a slip in either shows up when
``milkrun crosscheck`` compares the two.  Rows are named ``<family>[...]`` with node and vehicle
*indices* (PuLP turns ``[ ] - +`` into ``_``; indices keep names unique whatever the ids contain), and
:attr:`PulpExactModel.rows` records which rows belong to which family.

Indices: t = position of the vehicle in ``instance.vehicles``; i, j = node indices (0 = hub).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pulp

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.models.families import EXACT_FAMILIES, FAMILY_BY_NAME, TIME_FAMILIES, families_of

Term = tuple[pulp.LpVariable, float]
Key = tuple[int, int, int]  # (t, i, j)


@dataclass
class PulpExactModel:
    """The PuLP problem with its variables x[t, i, j], u[i] and the row names of every family; with time
    also theta[t, j] (start of service), dep[t], ret[t] (leaving and back at the hub) and y[j, w]
    (window w of a DC with several, w counted from 0)."""

    instance: Instance
    problem: pulp.LpProblem
    x: dict[Key, pulp.LpVariable]
    u: dict[int, pulp.LpVariable]
    objective: str = "distance"  # "distance" (Eq 1) or "cost" (Eq 1c)
    rows: dict[str, list[str]] = field(default_factory=dict)  # family -> names of its rows in ``problem``
    theta: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    dep: dict[int, pulp.LpVariable] = field(default_factory=dict)
    ret: dict[int, pulp.LpVariable] = field(default_factory=dict)
    y: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)

    def row_counts(self) -> dict[str, int]:
        """Rows per family, read back from the problem itself by name (the objective counts as one).

        Returns
        -------
        dict[str, int]
            Rows per family name; a row of no family raises ``RuntimeError``.
        """
        counts = {f.name: 0 for f in families_of(self.instance.has_time)}
        counts["eq01_objective"] = 1 if self.problem.objective else 0
        for constraint in self.problem.constraints():
            family = next((f for f in counts if constraint.name.startswith(f + "_")), None)
            if family is None:
                raise RuntimeError(f"row {constraint.name} belongs to no equation family")
            counts[family] += 1
        return counts

    def column_counts(self) -> dict[str, int]:
        """Variables per family: x (binary arcs) and u (MTZ order), and with time theta, dep, ret and y.

        Returns
        -------
        dict[str, int]
            ``{"x": ..., "u": ...}`` and, with time, ``theta``, ``dep``, ``ret``, ``y``.
        """
        counts = {"x": len(self.x), "u": len(self.u)}
        if self.instance.has_time:
            counts.update(theta=len(self.theta), dep=len(self.dep), ret=len(self.ret), y=len(self.y))
        return counts

    def arcs_by_vehicle(self) -> dict[str, list[tuple[int, int]]]:
        """The arcs with x = 1 in the solver's solution, per vehicle name.

        Returns
        -------
        dict[str, list[tuple[int, int]]]
            Node-index arcs per vehicle that drives any.
        """
        vehicles = self.instance.vehicles
        arcs: dict[str, list[tuple[int, int]]] = {}
        for (t, i, j), var in self.x.items():
            if var.varValue is not None and var.varValue > 0.5:
                arcs.setdefault(vehicles[t].name, []).append((i, j))
        return arcs


def build_exact_pulp(
    instance: Instance, *, objective: str | None = None, drop_family: str | None = None
) -> PulpExactModel:
    """Build Equations 1-14 and (2b), and (15)-(18) for an instance with time, as a PuLP minimisation problem.

    Parameters
    ----------
    instance
        The instance.
    objective
        ``distance`` (Eq 1) or ``cost`` (Eq 1c, from each vehicle type's ``fixed_cost`` and
        ``cost_per_km``); None means the instance's own.
    drop_family
        Leaves one family out; it exists so tests can prove that ``crosscheck`` catches a model that
        differs from the formulation, and is never used by a solve.

    Returns
    -------
    PulpExactModel
        The problem, its variables and its rows by family.
    """
    if drop_family is not None and drop_family not in FAMILY_BY_NAME:
        raise InputError("drop_family", f"unknown family {drop_family!r}")
    objective = objective or instance.objective
    if objective not in ("distance", "cost"):
        raise InputError(
            "objective",
            f"the exact model minimises distance or cost, not {objective}; use the route-based model or the heuristic",
        )
    with _collector_paused():
        problem = pulp.LpProblem(f"milkrun_exact_{_safe(instance.name)}", pulp.LpMinimize)
        x, u = _variables(problem, instance)
        model = PulpExactModel(instance, problem, x, u, objective)
        if instance.has_time:
            _time_variables(model)
        for family in families_of(instance.has_time):
            if family.name != drop_family:
                _BUILDERS[family.name](model)
    return model


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while some 100,000 variables and 700,000 terms are created:
    it would re-scan the growing problem again and again (building ecom74 took about 1.5x longer)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ----- variables ---------------------------------------------------------------------------------
def _variables(
    problem: pulp.LpProblem, instance: Instance
) -> tuple[dict[Key, pulp.LpVariable], dict[int, pulp.LpVariable]]:
    """x^t_ij in {0,1} for i != j in V, t in T;  u_i >= 0 for i in V'."""
    nodes = range(instance.n_dcs + 1)
    x = {
        (t, i, j): problem.add_variable(f"x_{t}_{i}_{j}", 0, 1, pulp.LpInteger)
        for t in range(len(instance.vehicles))
        for i in nodes
        for j in nodes
        if i != j
    }
    u = {i: problem.add_variable(f"u_{i}", 0, None, pulp.LpContinuous) for i in nodes if i != 0}
    return x, u


# ----- helpers -------------------------------------------------------------------------------------
def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _add(model: PulpExactModel, family: str, index: str, terms: Iterable[Term], sense: int, rhs: float) -> None:
    """Add row ``family[index]``: sum(terms) <sense> rhs, built straight from (variable, coefficient) pairs
    (each variable at most once per row: the pairs become a dict)."""
    name = f"{family}[{index}]"
    row = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, name, rhs)
    model.problem.addConstraint(row)
    model.rows.setdefault(family, []).append(row.name)


def _arcs_into(model: PulpExactModel, t: int, j: int) -> list[pulp.LpVariable]:
    return [model.x[t, i, j] for i in range(model.instance.n_dcs + 1) if i != j]


def _arcs_out_of(model: PulpExactModel, t: int, i: int) -> list[pulp.LpVariable]:
    return [model.x[t, i, j] for j in range(model.instance.n_dcs + 1) if j != i]


def _arcs_of(model: PulpExactModel, t: int) -> list[tuple[int, int, pulp.LpVariable]]:
    """(i, j, x^t_ij) for every arc of vehicle t."""
    nodes = range(model.instance.n_dcs + 1)
    return [(i, j, model.x[t, i, j]) for i in nodes for j in nodes if i != j]


LE, EQ, GE = pulp.LpConstraintLE, pulp.LpConstraintEQ, pulp.LpConstraintGE


# ----- equation families -----------------------------------------------------------------------------
def eq01_objective(m: PulpExactModel) -> None:
    """Equation (1) or (1c), the objective: total distance, or total cost, as ``m.objective`` says.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; its objective is set.
    """
    # min sum_t sum_i sum_{j!=i} d_ij x^t_ij                                   (distance, Eq 1)
    # min sum_t sum_i sum_{j!=i} c_t d_ij x^t_ij + sum_t F_t sum_j x^t_0j      (cost, Eq 1c)
    #     + sum_t P_t / 60 (ret_t - dep_t)                                     (with time: P_t per hour)
    d, vehicles = m.instance.distance, m.instance.vehicles
    if m.objective == "distance":
        terms = [(var, float(d[i, j])) for (_, i, j), var in m.x.items()]
    else:
        types = [v.type for v in vehicles]
        terms = [
            (var, types[t].cost_per_km * float(d[i, j]) + (types[t].fixed_cost if i == 0 else 0.0))
            for (t, i, j), var in m.x.items()
        ]
        # with time: + sum_t (cost per hour / 60) (ret_t - dep_t), the route's duration in hours
        terms += [(var, types[t].cost_per_hour / 60.0) for t, var in m.ret.items() if types[t].cost_per_hour]
        terms += [(var, -types[t].cost_per_hour / 60.0) for t, var in m.dep.items() if types[t].cost_per_hour]
    m.problem.setObjective(pulp.LpAffineExpression(terms, name="eq01_objective"))
    m.rows["eq01_objective"] = ["eq01_objective"]


def eq02_flow_balance(m: PulpExactModel) -> None:
    """Equation (2), flow balance: a vehicle leaves every node it enters.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_{i!=j} x^t_ij = sum_{i!=j} x^t_ji   for all j in V, t in T
    for t in range(len(m.instance.vehicles)):
        for j in range(m.instance.n_dcs + 1):
            terms = [(v, 1.0) for v in _arcs_into(m, t, j)] + [(v, -1.0) for v in _arcs_out_of(m, t, j)]
            _add(m, "eq02_flow_balance", f"{t},{j}", terms, EQ, 0.0)


def eq02b_single_trip(m: PulpExactModel) -> None:
    """Equation (2b), single trip: a vehicle leaves the hub at most once.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_{j in V'} x^t_0j <= 1   for all t: a vehicle leaves the hub at most once, so (5)-(7) see its whole work
    for t in range(len(m.instance.vehicles)):
        _add(m, "eq02b_single_trip", f"{t}", [(v, 1.0) for v in _arcs_out_of(m, t, 0)], LE, 1.0)


def eq03_one_in(m: PulpExactModel) -> None:
    """Equation (3): every DC is entered exactly once.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_t sum_{i!=j} x^t_ij = 1   for all j in V'
    for j in range(1, m.instance.n_dcs + 1):
        terms = [(v, 1.0) for t in range(len(m.instance.vehicles)) for v in _arcs_into(m, t, j)]
        _add(m, "eq03_one_in", f"{j}", terms, EQ, 1.0)


def eq04_one_out(m: PulpExactModel) -> None:
    """Equation (4): every DC is left exactly once.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_t sum_{j!=i} x^t_ij = 1   for all i in V'
    for i in range(1, m.instance.n_dcs + 1):
        terms = [(v, 1.0) for t in range(len(m.instance.vehicles)) for v in _arcs_out_of(m, t, i)]
        _add(m, "eq04_one_out", f"{i}", terms, EQ, 1.0)


def eq05_capacity(m: PulpExactModel) -> None:
    """Equation (5), capacity: a vehicle carries at most its capacity.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_i sum_{j in V', j!=i} l_j x^t_ij <= Q_t   for all t
    demand = m.instance.demand
    for t, vehicle in enumerate(m.instance.vehicles):
        terms = [(var, float(demand[j])) for j in range(1, m.instance.n_dcs + 1) for var in _arcs_into(m, t, j)]
        _add(m, "eq05_capacity", f"{t}", terms, LE, float(vehicle.capacity))


def eq06_distance(m: PulpExactModel) -> None:
    """Equation (6), route distance: a vehicle drives at most its distance limit.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_i sum_{j!=i} d_ij x^t_ij <= D_t   for all t with a distance limit (no row for an unlimited vehicle)
    d = m.instance.distance
    for t, vehicle in enumerate(m.instance.vehicles):
        if vehicle.max_distance is None:
            continue
        terms = [(var, float(d[i, j])) for i, j, var in _arcs_of(m, t)]
        _add(m, "eq06_distance", f"{t}", terms, LE, float(vehicle.max_distance))


def eq07_stops(m: PulpExactModel) -> None:
    """Equation (7), stops: a vehicle serves at most its stop limit.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_i sum_{j!=i} x^t_ij - 1 <= H_t   for all t with a stop limit (k DCs take k+1 arcs)
    for t, vehicle in enumerate(m.instance.vehicles):
        if vehicle.max_stops is None:
            continue
        terms = [(var, 1.0) for _, _, var in _arcs_of(m, t)]
        _add(m, "eq07_stops", f"{t}", terms, LE, float(vehicle.max_stops) + 1.0)


def _forbidden_pairs(m: PulpExactModel) -> list[tuple[int, int]]:
    """B as sorted (node index, vehicle index) pairs."""
    t_of = {v.name: t for t, v in enumerate(m.instance.vehicles)}
    return sorted((m.instance.index[dc], t_of[vehicle]) for dc, vehicle in m.instance.forbidden)


def eq08_forbidden_in(m: PulpExactModel) -> None:
    """Equation (8): no vehicle enters a DC forbidden to it.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_{i!=v} x^t_iv = 0   for all (v, t) in B
    for v, t in _forbidden_pairs(m):
        _add(m, "eq08_forbidden_in", f"{v},{t}", [(var, 1.0) for var in _arcs_into(m, t, v)], EQ, 0.0)


def eq09_forbidden_out(m: PulpExactModel) -> None:
    """Equation (9): no vehicle leaves a DC forbidden to it.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_{j!=v} x^t_vj = 0   for all (v, t) in B
    for v, t in _forbidden_pairs(m):
        _add(m, "eq09_forbidden_out", f"{v},{t}", [(var, 1.0) for var in _arcs_out_of(m, t, v)], EQ, 0.0)


def eq10_consecutive(m: PulpExactModel) -> None:
    """Equation (10): each consecutive pair is driven directly, by one vehicle.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_t x^t_ij = 1   for all (i, j) in P
    for a, b in m.instance.consecutive:
        i, j = m.instance.index[a], m.instance.index[b]
        _add(m, "eq10_consecutive", f"{i},{j}", [(m.x[t, i, j], 1.0) for t in range(len(m.instance.vehicles))], EQ, 1.0)


def eq11_damaged(m: PulpExactModel) -> None:
    """Equation (11): no vehicle drives a damaged road.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # sum_t (x^t_ij + x^t_ji) = 0   for all (i, j) in R (a road to the hub closes both of its arcs too)
    for a, b in m.instance.damaged_roads:
        i, j = m.instance.index[a], m.instance.index[b]
        terms = [(m.x[t, p, q], 1.0) for t in range(len(m.instance.vehicles)) for p, q in ((i, j), (j, i))]
        _add(m, "eq11_damaged", f"{i},{j}", terms, EQ, 0.0)


def eq12_order_lower(m: PulpExactModel) -> None:
    """Equation (12): the visiting order u_i is at least 1.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # u_i >= 1   for all i in V'
    for i, var in m.u.items():
        _add(m, "eq12_order_lower", f"{i}", [(var, 1.0)], GE, 1.0)


def eq13_order_upper(m: PulpExactModel) -> None:
    """Equation (13): the visiting order u_i is at most N.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # u_i <= N   for all i in V'
    for i, var in m.u.items():
        _add(m, "eq13_order_upper", f"{i}", [(var, 1.0)], LE, float(m.instance.n_dcs))


def eq14_mtz(m: PulpExactModel) -> None:
    """Equation (14), Miller-Tucker-Zemlin: no route without the hub.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # u_i - u_j + N sum_t x^t_ij <= N - 1   for all i != j in V'
    n = float(m.instance.n_dcs)
    vehicles = range(len(m.instance.vehicles))
    for i in m.u:
        for j in m.u:
            if i == j:
                continue
            terms = [(m.u[i], 1.0), (m.u[j], -1.0), *((m.x[t, i, j], n) for t in vehicles)]
            _add(m, "eq14_mtz", f"{i},{j}", terms, LE, n - 1.0)


# ----- time: Eq 15-18 ---------------------------------------------------------------------------------
def _time_variables(m: PulpExactModel) -> None:
    """theta^t_j >= 0 for j in V', t in T; dep_t, ret_t >= 0; y_jw in {0,1} for the windows of a DC with several."""
    instance, add = m.instance, m.problem.add_variable
    vehicles, dcs = range(len(instance.vehicles)), range(1, instance.n_dcs + 1)
    m.theta = {(t, j): add(f"theta_{t}_{j}", 0, None, pulp.LpContinuous) for t in vehicles for j in dcs}
    m.dep = {t: add(f"dep_{t}", 0, None, pulp.LpContinuous) for t in vehicles}
    m.ret = {t: add(f"ret_{t}", 0, None, pulp.LpContinuous) for t in vehicles}
    m.y = {
        (j, w): add(f"y_{j}_{w}", 0, 1, pulp.LpInteger)
        for j in dcs
        if len(instance.windows[j]) > 1
        for w in range(len(instance.windows[j]))
    }


def eq15_time_flow(m: PulpExactModel) -> None:
    """Equation (15), time flow: service at j starts after service at i ends and the drive, on an arc driven.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # theta^t_j - theta^t_i - M x^t_ij >= s_i + tau^t_ij - M   for all (i, j) in A, t   (dep_t for i = hub, ret_t for j = hub)
    # M = max(0, latest start at i + s_i + tau^t_ij - earliest start at j): the row is void when x^t_ij = 0
    instance = m.instance
    opening, closing = instance.hub_hours  # type: ignore[misc]
    service = instance.service_time
    first = [opening] + [instance.windows[j][0][0] for j in range(1, instance.n_dcs + 1)]
    last = [closing] + [instance.windows[j][-1][1] for j in range(1, instance.n_dcs + 1)]
    for (t, i, j), arc in m.x.items():
        step = float(service[i]) + float(instance.travel_time(instance.vehicles[t].type)[i, j])
        big_m = max(0.0, last[i] + step - first[j])
        before = m.dep[t] if i == 0 else m.theta[t, i]
        after = m.ret[t] if j == 0 else m.theta[t, j]
        _add(m, "eq15_time_flow", f"{t},{i},{j}", [(after, 1.0), (before, -1.0), (arc, -big_m)], GE, step - big_m)


def eq16_time_windows(m: PulpExactModel) -> None:
    """Equation (16), windows: service at every DC starts in a window, one window chosen per DC.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # one window [a, b]:   theta^t_j >= a,  theta^t_j <= b                       for all j in V', t
    # several windows:     theta^t_j - sum_w a_w y_jw >= 0,  theta^t_j - sum_w b_w y_jw <= 0,  sum_w y_jw = 1
    instance = m.instance
    for j in range(1, instance.n_dcs + 1):
        windows = instance.windows[j]
        for t in range(len(instance.vehicles)):
            var = m.theta[t, j]
            if len(windows) == 1:
                _add(m, "eq16_time_windows", f"{t},{j},open", [(var, 1.0)], GE, windows[0][0])
                _add(m, "eq16_time_windows", f"{t},{j},close", [(var, 1.0)], LE, windows[0][1])
                continue
            _add(
                m,
                "eq16_time_windows",
                f"{t},{j},open",
                [(var, 1.0), *((m.y[j, w], -a) for w, (a, _) in enumerate(windows))],
                GE,
                0.0,
            )
            _add(
                m,
                "eq16_time_windows",
                f"{t},{j},close",
                [(var, 1.0), *((m.y[j, w], -b) for w, (_, b) in enumerate(windows))],
                LE,
                0.0,
            )
        if len(windows) > 1:
            _add(m, "eq16_time_windows", f"{j},choice", [(m.y[j, w], 1.0) for w in range(len(windows))], EQ, 1.0)


def eq17_hub_hours(m: PulpExactModel) -> None:
    """Equation (17), the hub's hours: leave after it opens, be back by its closing (and after leaving).

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # dep_t >= a_0,  ret_t <= b_0,  ret_t - dep_t >= 0   for all t
    opening, closing = m.instance.hub_hours  # type: ignore[misc]
    for t in range(len(m.instance.vehicles)):
        _add(m, "eq17_hub_hours", f"{t},open", [(m.dep[t], 1.0)], GE, opening)
        _add(m, "eq17_hub_hours", f"{t},close", [(m.ret[t], 1.0)], LE, closing)
        _add(m, "eq17_hub_hours", f"{t},order", [(m.ret[t], 1.0), (m.dep[t], -1.0)], GE, 0.0)


def eq18_shift(m: PulpExactModel) -> None:
    """Equation (18), the shift: a route lasts at most its vehicle's shift.

    Parameters
    ----------
    m : PulpExactModel
        The model being built; the family's rows are added to it.
    """
    # ret_t - dep_t <= S_t   for all t with a shift (no row for a vehicle without one)
    for t, vehicle in enumerate(m.instance.vehicles):
        if vehicle.type.shift is not None:
            _add(m, "eq18_shift", f"{t}", [(m.ret[t], 1.0), (m.dep[t], -1.0)], LE, float(vehicle.type.shift))


# one builder per family, found by its component name: a family missing here fails at import
_BUILDERS = {f.name: globals()[f.name] for f in (*EXACT_FAMILIES, *TIME_FAMILIES)}
