"""The exact model (Equations 1-14 and 2b) built a second time, in PuLP: the independent cross-check.

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
from milp_milkrun.models.families import EXACT_FAMILIES, FAMILY_BY_NAME
from milp_milkrun.timing import require_time_support

Term = tuple[pulp.LpVariable, float]
Key = tuple[int, int, int]  # (t, i, j)


@dataclass
class PulpExactModel:
    """The PuLP problem with its variables x[t, i, j], u[i] and the row names of every family."""

    instance: Instance
    problem: pulp.LpProblem
    x: dict[Key, pulp.LpVariable]
    u: dict[int, pulp.LpVariable]
    objective: str = "distance"  # "distance" (Eq 1) or "cost" (Eq 1c)
    rows: dict[str, list[str]] = field(default_factory=dict)  # family -> names of its rows in ``problem``

    def row_counts(self) -> dict[str, int]:
        """Rows per family, read back from the problem itself by name (the objective counts as one).

        Returns
        -------
        dict[str, int]
            Rows per family name; a row of no family raises ``RuntimeError``.
        """
        counts = {f.name: 0 for f in EXACT_FAMILIES}
        counts["eq01_objective"] = 1 if self.problem.objective else 0
        for constraint in self.problem.constraints():
            family = next((f for f in counts if constraint.name.startswith(f + "_")), None)
            if family is None:
                raise RuntimeError(f"row {constraint.name} belongs to no equation family")
            counts[family] += 1
        return counts

    def column_counts(self) -> dict[str, int]:
        """Variables per family: x (binary arcs) and u (MTZ order).

        Returns
        -------
        dict[str, int]
            ``{"x": ..., "u": ...}``.
        """
        return {"x": len(self.x), "u": len(self.u)}

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


def build_exact_pulp(instance: Instance, *, objective: str | None = None, drop_family: str | None = None) -> PulpExactModel:
    """Build Equations 1-14 and (2b) for ``instance`` as a PuLP minimisation problem.

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
    require_time_support(instance, "exact-pulp")
    if drop_family is not None and drop_family not in FAMILY_BY_NAME:
        raise InputError("drop_family", f"unknown family {drop_family!r}")
    objective = objective or instance.objective
    if objective not in ("distance", "cost"):
        raise InputError("objective", f"the exact model minimises distance or cost, not {objective}; use the route-based model or the heuristic")
    with _collector_paused():
        problem = pulp.LpProblem(f"milkrun_exact_{_safe(instance.name)}", pulp.LpMinimize)
        x, u = _variables(problem, instance)
        model = PulpExactModel(instance, problem, x, u, objective)
        for family in EXACT_FAMILIES:
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
def _variables(problem: pulp.LpProblem, instance: Instance) -> tuple[dict[Key, pulp.LpVariable], dict[int, pulp.LpVariable]]:
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
    d, vehicles = m.instance.distance, m.instance.vehicles
    if m.objective == "distance":
        terms = [(var, float(d[i, j])) for (_, i, j), var in m.x.items()]
    else:
        types = [v.type for v in vehicles]
        terms = [(var, types[t].cost_per_km * float(d[i, j]) + (types[t].fixed_cost if i == 0 else 0.0)) for (t, i, j), var in m.x.items()]
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


# one builder per family, found by its component name: a family missing here fails at import
_BUILDERS = {f.name: globals()[f.name] for f in EXACT_FAMILIES}
