"""The exact model of the seed paper: Equations (1)-(14) plus (2b), one Pyomo component per family,
and for an instance with time the extension Eq (15)-(18) (receiving windows, hub hours, shifts).

Read it beside ``docs/formulation.md``: every component is named after its equation
(``milp_milkrun.models.families.EXACT_FAMILIES``) and carries a one-line comment of its mathematics.
Sets and parameters use the paper's letters:

    V = {0..N} nodes (0 = hub)     Vp = V' = {1..N} DCs      T  vehicles (named <type>-<k>)
    l[j] demand    d[i,j] distance    Q[t] capacity    D[t] distance limit    H[t] stop limit
    c[t] cost per km    F[t] fixed cost (c = 1, F = 0 under the distance objective: Eq 1 exactly)
    B forbidden (DC, vehicle) pairs    P ordered consecutive pairs    R damaged roads

Variables: ``x[i, j, t]`` binary for i != j (only those arcs exist: a sparse index set), ``u[i] >= 0``.
With time: ``theta[j, t]`` start of service at DC j if vehicle t serves it, ``dep[t]`` departure from
and ``ret[t]`` return to the hub, ``y[j, w]`` binary choice of window w of a DC with several windows;
data ``s[j]`` service time, ``tau`` travel times per vehicle type, windows ``(a, b)``, shift ``S[t]``.
Rows are built as explicit linear expressions (``_sum`` and ``_weighted`` at the end of the file)
over a plain dict of the variables: Pyomo's operator overloading and indexed look-ups would dominate
the build of an instance of 74 DCs and 15 vehicles (83,250 binaries, 673,415 non-zeros).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from milp_milkrun.instance import Instance
from milp_milkrun.objectives import RouteCosts, linear_costs
from milp_milkrun.plan import Plan
from milp_milkrun.time_segments import plan_times, window_of

XVars = dict[tuple[int, int, str], VarData]  # x[i, j, t] looked up without Pyomo's index validation


def build_exact_model(instance: Instance, costs: RouteCosts | None = None) -> pyo.ConcreteModel:
    """The three-index vehicle-flow model with MTZ subtour elimination, as in the seed paper, and the
    time equations (15)-(18) for an instance with time.

    Parameters
    ----------
    instance
        The instance.
    costs
        The objective: distance (Eq 1) or cost (Eq 1c); None means the instance's own. A
        load-dependent objective (emissions) needs load-flow variables this model does not have.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model, one component per equation family.
    """
    costs = linear_costs(instance, costs)
    # Python's cycle collector would re-scan the growing model again and again while half a million
    # objects are created (it doubled the build of ecom74); Pyomo's own writers pause it the same way.
    with PauseGC():
        m = pyo.ConcreteModel(name=f"exact[{instance.name}]")
        _declare_sets_and_data(m, instance, costs)
        _declare_variables(m)
        x = dict(m.x.items())  # a plain dict: indexing m.x validates every key, which is slow at this size
        _declare_objective_and_flow(m, x)
        _declare_vehicle_limits(m, x)
        _declare_route_rules(m, x)
        _declare_subtour_elimination(m, x)
        if instance.has_time:
            _declare_time(m, instance, x)
            _price_duration(m, costs)
    return m


# ----- sets and parameters ---------------------------------------------------------------------
def _declare_sets_and_data(m: pyo.ConcreteModel, instance: Instance, costs: RouteCosts) -> None:
    n = instance.n_dcs
    index = instance.index
    vehicles = instance.vehicles
    m.N = pyo.Param(initialize=n, within=pyo.NonNegativeIntegers)
    m.V = pyo.Set(initialize=range(n + 1), ordered=True)
    m.Vp = pyo.Set(initialize=range(1, n + 1), ordered=True)
    m.T = pyo.Set(initialize=[v.name for v in vehicles], ordered=True)
    # arcs (i, j) with i != j: the only pairs that get a variable
    m.A = pyo.Set(initialize=[(i, j) for i in range(n + 1) for j in range(n + 1) if i != j], dimen=2, ordered=True)
    m.l = pyo.Param(m.V, initialize={j: float(instance.demand[j]) for j in range(n + 1)})
    m.d = pyo.Param(m.A, initialize={(i, j): float(instance.distance[i, j]) for i, j in m.A})
    m.Q = pyo.Param(m.T, initialize={v.name: float(v.capacity) for v in vehicles})
    m.c = pyo.Param(m.T, initialize={v.name: costs.of_vehicle(v.name).per_km for v in vehicles})
    m.F = pyo.Param(m.T, initialize={v.name: costs.of_vehicle(v.name).fixed for v in vehicles})
    # D_t and H_t exist only for vehicles that have the limit; the others get no row in (6) / (7)
    m.T_dist = pyo.Set(initialize=[v.name for v in vehicles if v.max_distance is not None], within=m.T, ordered=True)
    m.T_stops = pyo.Set(initialize=[v.name for v in vehicles if v.max_stops is not None], within=m.T, ordered=True)
    m.D = pyo.Param(
        m.T_dist, initialize={v.name: float(v.max_distance) for v in vehicles if v.max_distance is not None}
    )
    m.H = pyo.Param(m.T_stops, initialize={v.name: int(v.max_stops) for v in vehicles if v.max_stops is not None})
    m.B = pyo.Set(initialize=sorted((index[dc], t) for dc, t in instance.forbidden), dimen=2, ordered=True)
    m.P = pyo.Set(initialize=[(index[a], index[b]) for a, b in instance.consecutive], dimen=2, ordered=True)
    m.R = pyo.Set(initialize=[(index[a], index[b]) for a, b in instance.damaged_roads], dimen=2, ordered=True)


def _declare_variables(m: pyo.ConcreteModel) -> None:
    # x^t_ij = 1 when vehicle t drives from i to j (i != j)
    m.x = pyo.Var(m.A, m.T, domain=pyo.Binary)
    # u_i >= 0: position of DC i on its route (MTZ order); its range is set by rows (12) and (13)
    m.u = pyo.Var(m.Vp, domain=pyo.NonNegativeReals)


# ----- objective and flow ------------------------------------------------------------------------
def _declare_objective_and_flow(m: pyo.ConcreteModel, x: XVars) -> None:
    T, V, Vp, d = list(m.T), list(m.V), list(m.Vp), m.d.extract_values()
    c, F = m.c.extract_values(), m.F.extract_values()
    others = {j: [i for i in V if i != j] for j in V}  # the nodes i != j
    # (1) min sum_t sum_i sum_{j!=i} c_t d_ij x^t_ij + sum_t F_t sum_{j in V'} x^t_0j   (c = 1, F = 0: Eq 1)
    fixed_terms = [(F[t], x[0, j, t]) for t in T if F[t] for j in Vp]
    m.eq01_objective = pyo.Objective(
        expr=_weighted([(c[t] * d[i, j], x[i, j, t]) for i, j in m.A for t in T] + fixed_terms), sense=pyo.minimize
    )
    # (2) sum_{i!=j} x^t_ij = sum_{i!=j} x^t_ji   for all j in V, t in T   (what enters a node leaves it)
    m.eq02_flow_balance = pyo.Constraint(
        V, T, rule=lambda m, j, t: _sum(x[i, j, t] for i in others[j]) == _sum(x[j, i, t] for i in others[j])
    )
    # (2b) sum_{j in V'} x^t_0j <= 1   for all t in T   (at most one trip per vehicle; see docs/formulation.md)
    m.eq02b_single_trip = pyo.Constraint(T, rule=lambda m, t: _sum(x[0, j, t] for j in Vp) <= 1)
    # (3) sum_t sum_{i!=j} x^t_ij = 1   for all j in V'   (one arc into each DC)
    m.eq03_one_in = pyo.Constraint(Vp, rule=lambda m, j: _sum(x[i, j, t] for i in others[j] for t in T) == 1)
    # (4) sum_t sum_{j!=i} x^t_ij = 1   for all i in V'   (one arc out of each DC)
    m.eq04_one_out = pyo.Constraint(Vp, rule=lambda m, i: _sum(x[i, j, t] for j in others[i] for t in T) == 1)


# ----- vehicle characteristics -------------------------------------------------------------------
def _declare_vehicle_limits(m: pyo.ConcreteModel, x: XVars) -> None:
    A, l, d = list(m.A), m.l.extract_values(), m.d.extract_values()  # noqa: E741 (the paper's l_j)
    # (5) sum_i sum_{j in V', j!=i} l_j x^t_ij <= Q_t   for all t
    m.eq05_capacity = pyo.Constraint(
        m.T, rule=lambda m, t: _weighted((l[j], x[i, j, t]) for i, j in A if j != 0) <= m.Q[t]
    )
    # (6) sum_i sum_{j!=i} d_ij x^t_ij <= D_t   for all t with a distance limit
    m.eq06_distance = pyo.Constraint(
        m.T_dist, rule=lambda m, t: _weighted((d[i, j], x[i, j, t]) for i, j in A) <= m.D[t]
    )
    # (7) sum_i sum_{j!=i} x^t_ij - 1 <= H_t   for all t with a stop limit   (k DCs take k + 1 arcs)
    m.eq07_stops = pyo.Constraint(m.T_stops, rule=lambda m, t: _sum(x[i, j, t] for i, j in A) - 1 <= m.H[t])


# ----- route rules -------------------------------------------------------------------------------
def _declare_route_rules(m: pyo.ConcreteModel, x: XVars) -> None:
    V, T = list(m.V), list(m.T)
    # (8) sum_{i!=v} x^t_iv = 0   for all (v, t) in B   (vehicle t never enters DC v)
    m.eq08_forbidden_in = pyo.Constraint(m.B, rule=lambda m, v, t: _sum(x[i, v, t] for i in V if i != v) == 0)
    # (9) sum_{j!=v} x^t_vj = 0   for all (v, t) in B   (vehicle t never leaves DC v)
    m.eq09_forbidden_out = pyo.Constraint(m.B, rule=lambda m, v, t: _sum(x[v, j, t] for j in V if j != v) == 0)
    # (10) sum_t x^t_ij = 1   for all (i, j) in P   (j immediately follows i, on whichever vehicle)
    m.eq10_consecutive = pyo.Constraint(m.P, rule=lambda m, i, j: _sum(x[i, j, t] for t in T) == 1)
    # (11) sum_t (x^t_ij + x^t_ji) = 0   for all (i, j) in R   (the road is unusable both ways)
    m.eq11_damaged = pyo.Constraint(
        m.R, rule=lambda m, i, j: _sum([x[i, j, t] for t in T] + [x[j, i, t] for t in T]) == 0
    )


# ----- subtour elimination (MTZ) ------------------------------------------------------------------
def _declare_subtour_elimination(m: pyo.ConcreteModel, x: XVars) -> None:
    u, T, N = m.u, list(m.T), pyo.value(m.N)
    m.Ap = pyo.Set(initialize=[(i, j) for i, j in m.A if i != 0 and j != 0], dimen=2, ordered=True)  # arcs in V'
    # (12) u_i >= 1   for all i in V'
    m.eq12_order_lower = pyo.Constraint(m.Vp, rule=lambda m, i: u[i] >= 1)
    # (13) u_i <= N   for all i in V'
    m.eq13_order_upper = pyo.Constraint(m.Vp, rule=lambda m, i: u[i] <= N)
    # (14) u_i - u_j + N sum_t x^t_ij <= N - 1   for all i != j in V'   (an arc i->j forces u_j >= u_i + 1)
    m.eq14_mtz = pyo.Constraint(
        m.Ap, rule=lambda m, i, j: _weighted([(1.0, u[i]), (-1.0, u[j])] + [(N, x[i, j, t]) for t in T]) <= N - 1
    )


# ----- time: Eq 15-18 (docs/formulation.md, "Time") -------------------------------------------------
def _declare_time(m: pyo.ConcreteModel, instance: Instance, x: XVars) -> None:
    _declare_time_data_and_variables(m, instance)
    _declare_time_flow(m, instance, x)
    _declare_time_windows(m)
    _declare_hub_hours_and_shift(m)


def _declare_time_data_and_variables(m: pyo.ConcreteModel, instance: Instance) -> None:
    vehicles, Vp = instance.vehicles, list(m.Vp)
    m.a0, m.b0 = instance.hub_hours  # type: ignore[misc]  # the hub's hours: earliest departure, latest return
    m.windows = {j: instance.windows[j] for j in Vp}  # (a_jw, b_jw): the receiving windows of DC j, sorted
    m.s = pyo.Param(m.V, initialize={j: float(instance.service_time[j]) for j in m.V})
    m.T_shift = pyo.Set(initialize=[v.name for v in vehicles if v.type.shift is not None], within=m.T, ordered=True)
    m.S = pyo.Param(m.T_shift, initialize={v.name: float(v.type.shift) for v in vehicles if v.type.shift is not None})
    # W: (j, "w1"), (j, "w2"), ... for the DCs with several windows; y_jw = 1 when DC j is served in its window w
    m.W = pyo.Set(
        initialize=[(j, window_label(w)) for j in Vp if len(m.windows[j]) > 1 for w in range(len(m.windows[j]))],
        dimen=2,
        ordered=True,
    )
    m.y = pyo.Var(m.W, domain=pyo.Binary)
    # theta^t_j >= 0: start of service at DC j by vehicle t (some time in j's chosen window when t does not serve j)
    m.theta = pyo.Var(m.Vp, m.T, domain=pyo.NonNegativeReals)
    # dep_t, ret_t >= 0: vehicle t leaves the hub at dep_t and is back by ret_t
    m.dep = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.ret = pyo.Var(m.T, domain=pyo.NonNegativeReals)
    m.tau = {v.name: instance.travel_time(v.type) for v in vehicles}  # tau^t_ij: travel minutes of t's type


def _declare_time_flow(m: pyo.ConcreteModel, instance: Instance, x: XVars) -> None:
    theta, dep, ret, s, tau = m.theta, m.dep, m.ret, m.s.extract_values(), m.tau
    earliest = {0: m.a0, **{j: w[0][0] for j, w in m.windows.items()}}  # a_j (ret_t is never before a_0)
    latest = {0: m.b0, **{j: w[-1][1] for j, w in m.windows.items()}}  # b_j (dep_t is never after b_0)

    def time_flow(m: pyo.ConcreteModel, i: int, j: int, t: str) -> object:
        at_i = dep[t] if i == 0 else theta[i, t]
        at_j = ret[t] if j == 0 else theta[j, t]
        step = s[i] + float(tau[t][i, j])
        big_m = max(0.0, latest[i] + step - earliest[j])  # the least M that leaves the row free when x^t_ij = 0
        return _weighted([(1.0, at_j), (-1.0, at_i), (-big_m, x[i, j, t])]) >= step - big_m

    # (15) theta^t_j >= theta^t_i + s_i + tau^t_ij - M^t_ij (1 - x^t_ij)   for all (i, j) in A, t in T
    #      (theta^t_0 is dep_t leaving the hub and ret_t coming back)
    #      with M^t_ij = max(0, b_i + s_i + tau^t_ij - a_j)
    m.eq15_time_flow = pyo.Constraint(m.A, m.T, rule=time_flow)


def _declare_time_windows(m: pyo.ConcreteModel) -> None:
    theta, y, windows = m.theta, m.y, m.windows
    rows = [(j, t, side) for j in m.Vp for t in m.T for side in ("open", "close")]
    rows += [(j, "", "choice") for j in m.Vp if len(windows[j]) > 1]

    def time_window(m: pyo.ConcreteModel, j: int, t: str, side: str) -> object:
        if side == "choice":
            return _sum(y[j, window_label(w)] for w in range(len(windows[j]))) == 1
        k = 0 if side == "open" else 1
        if len(windows[j]) == 1:
            return theta[j, t] >= windows[j][0][0] if k == 0 else theta[j, t] <= windows[j][0][1]
        body = _weighted(
            [(1.0, theta[j, t]), *((-window[k], y[j, window_label(w)]) for w, window in enumerate(windows[j]))]
        )
        return body >= 0 if k == 0 else body <= 0

    # (16) sum_w a_jw y_jw <= theta^t_j <= sum_w b_jw y_jw   for all j in V', t in T   (one window: a_j <= theta^t_j <= b_j)
    #      sum_w y_jw = 1   for all j in V' with several windows   (one window per DC, whichever vehicle serves it)
    m.eq16_time_windows_index = pyo.Set(initialize=rows, dimen=3, ordered=True)
    m.eq16_time_windows = pyo.Constraint(m.eq16_time_windows_index, rule=time_window)


def _price_duration(m: pyo.ConcreteModel, costs: RouteCosts) -> None:
    # (1c) with time: + sum_t (P_t / 60) (ret_t - dep_t), P_t the cost per hour of t's type; the least
    #      ret_t - dep_t the rows allow is the route's shortest duration, which is what the checker prices
    per_hour = {t: costs.of_vehicle(t).per_hour for t in m.T}
    terms = [
        (sign * per_hour[t] / 60.0, var[t]) for t in m.T if per_hour[t] for sign, var in ((1.0, m.ret), (-1.0, m.dep))
    ]
    if terms:
        m.eq01_objective.expr = m.eq01_objective.expr + _weighted(terms)


def _declare_hub_hours_and_shift(m: pyo.ConcreteModel) -> None:
    dep, ret = m.dep, m.ret

    def hub_hours(m: pyo.ConcreteModel, t: str, side: str) -> object:
        if side == "open":
            return dep[t] >= m.a0
        if side == "close":
            return ret[t] <= m.b0
        return _weighted([(1.0, ret[t]), (-1.0, dep[t])]) >= 0

    # (17) dep_t >= a_0,  ret_t <= b_0,  ret_t >= dep_t   for all t in T   (leave after the hub opens, be back by its closing)
    m.eq17_hub_hours_index = pyo.Set(
        initialize=[(t, side) for t in m.T for side in ("open", "close", "order")], dimen=2, ordered=True
    )
    m.eq17_hub_hours = pyo.Constraint(m.eq17_hub_hours_index, rule=hub_hours)
    # (18) ret_t - dep_t <= S_t   for all t with a shift   (from leaving the hub to returning)
    m.eq18_shift = pyo.Constraint(m.T_shift, rule=lambda m, t: _weighted([(1.0, ret[t]), (-1.0, dep[t])]) <= m.S[t])


def window_label(w: int) -> str:
    """The index of window w (0-based) of a DC in ``y``: ``"w1"``, ``"w2"``, ... (a name, never a node number).

    Parameters
    ----------
    w : int
        The window's position among the DC's windows.

    Returns
    -------
    str
        Its label.
    """
    return f"w{w + 1}"


def time_start(instance: Instance, plan: Plan) -> dict[str, dict[object, float]]:
    """Values of the time variables (Eq 15-18) for a plan that meets them, as a MIP start.

    Each route takes its shortest schedule (:func:`~milp_milkrun.time_segments.plan_times`); the
    start of service at DC j is the same for every vehicle (a vehicle that does not serve j only
    needs a value in j's window), an unused vehicle leaves and returns at the hub's opening.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    plan : Plan
        A plan the checker accepts.

    Returns
    -------
    dict[str, dict[object, float]]
        ``{"theta": {(j, t): ...}, "dep": {t: ...}, "ret": {t: ...}, "y": {(j, w): ...}}``.
    """
    schedules = plan_times(instance, plan)
    opening = instance.hub_hours[0]  # type: ignore[index]
    values: dict[str, dict[object, float]] = {"theta": {}, "y": {}}
    values["dep"] = {v.name: schedules[v.name].departure if v.name in schedules else opening for v in instance.vehicles}
    values["ret"] = {
        v.name: schedules[v.name].return_time if v.name in schedules else opening for v in instance.vehicles
    }
    for route in plan.used_routes():
        for dc, start in zip(route.stops, schedules[route.vehicle].starts):
            j = instance.index[dc]
            values["theta"].update({(j, v.name): start for v in instance.vehicles})
            if len(instance.windows[j]) > 1:
                chosen = window_of(instance, j, start)
                values["y"].update({(j, window_label(w)): float(w == chosen) for w in range(len(instance.windows[j]))})
    return values


# ----- fast linear expressions ------------------------------------------------------------------
def _sum(variables: Iterable[VarData]) -> LinearExpression:
    """sum_k v_k, built directly (the same expression ``quicksum`` gives, without operator dispatch)."""
    return LinearExpression(list(variables))


def _weighted(terms: Iterable[tuple[float, VarData]]) -> LinearExpression:
    """sum_k c_k v_k, built directly."""
    return LinearExpression([MonomialTermExpression((c, v)) for c, v in terms])
