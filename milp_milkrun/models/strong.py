"""The strong formulation: the same feasible plans as Equations 1-14, in a form HiGHS can close.

Two ideas make it strong while keeping the feasible set exactly that of the exact model:

* **Vehicle classes instead of vehicles.**  Identical vehicles (same type, same forbidden DCs in B)
  are interchangeable, so one arc variable per class replaces one per vehicle: x^k_ij is the number
  of class-k vehicles driving i -> j, and a count row bounds how many leave the hub.  A type whose
  vehicles have different forbidden sets is split into sub-classes of identical vehicles, so (8)/(9)
  become "the arc does not exist in this class".  This removes the symmetry that makes the
  three-index model hopeless for branch and bound.
* **Rounded capacity inequalities** x(delta(S)) >= 2 r(S), r(S) = max(ceil(l(S)/Q), ceil(|S|/H)),
  separated on LP solutions by :func:`~milp_milkrun.models.strong_cuts.separate_capacity_cuts` and added as rows.  They are valid for
  every feasible plan and cut off most fractional LP points.

Two variants, chosen by :func:`build_strong_model`:

``directed`` (general case: any fleet, asymmetric distances, consecutive pairs, distance limits)
    Compact and exact on its own.  Per class k and arc (i, j): x^k_ij in {0,1}.  Per DC: the load
    q_i, position p_i and distance w_i on arrival at i, linked along arcs by lifted MTZ rows
    (Desrochers-Laporte) so that (5), (6), (7) hold per route; cuts only tighten it.

``undirected`` (one class, symmetric distances, no consecutive pairs, no distance limit)
    The classic two-index CVRP model: x_e in {0,1,2} per edge (2 only on a hub edge: a
    single-DC round trip), degree 2 at every DC, at most 2K hub edge ends.  Capacity, stop limits
    and subtour elimination are the rounded capacity inequalities over ALL subsets S, which are
    exact for integer points but exponential in number: :mod:`milp_milkrun.solve.strong` adds the
    violated ones as they appear and checks every integer solution exactly before accepting it.

Exact reductions (each keeps the feasible set unchanged): an arc is absent from class k when its
road is damaged (11), an endpoint is forbidden for the class (8, 9) or exceeds its capacity alone,
the pair's load exceeds Q_k (5), hub->i->j->hub exceeds D_k (6), H_k = 1 and both ends are DCs (7),
or a consecutive pair (10) gives i another successor or j another predecessor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from milp_milkrun.implied import VehicleClass, shortest_paths, vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE, allowance
from milp_milkrun.models.capacity_sets import route_requirement
from milp_milkrun.objectives import RouteCosts, linear_costs
from milp_milkrun.route_resources import RouteResources
from milp_milkrun.runtime.highs import new_highs
from milp_milkrun.timing import require_time_support

EPS = SOLVER_TOLERANCE  # LP values below this are zero; cut violations must exceed it


# ----- vehicle classes ------------------------------------------------------------------------
# ----- the model ------------------------------------------------------------------------------
@dataclass
class RowBlock:
    """One named family of rows: ``lower <= sum coef * col <= upper`` per row."""

    name: str
    math: str
    rows: list[tuple[list[int], list[float], float, float]] = field(default_factory=list)

    def add(self, cols: Sequence[int], coefs: Sequence[float], lower: float, upper: float) -> None:
        """Append one row ``lower <= sum coefs * x[cols] <= upper``.

        Parameters
        ----------
        cols : Sequence[int]
            The columns of its non-zeros.
        coefs : Sequence[float]
            Their coefficients.
        lower, upper : float
            The row's bounds (``math.inf`` for none).
        """
        self.rows.append((list(cols), list(coefs), lower, upper))


@dataclass
class StrongModel:
    """Columns, named row blocks and the data the cut separator and route extraction need.

    ``arcs[c] = (i, j, k)``: column c is x^k_ij (``undirected``: edge {i, j} with i < j, k = 0).
    Columns after the arcs are the continuous resources q, p, w of the directed variant.
    """

    instance: Instance
    kind: str  # "directed" or "undirected"
    classes: Sequence[VehicleClass]
    arcs: list[tuple[int, int, int]]
    cost: list[float]
    lower: list[float]
    upper: list[float]
    integer: list[bool]
    names: list[str]
    blocks: list[RowBlock]
    costs: RouteCosts  # the objective the arc costs state (distance or cost)

    @property
    def n_arcs(self) -> int:
        return len(self.arcs)

    def unservable(self) -> list[str]:
        """DCs that no class may serve after the exact reductions: the instance has no feasible plan.

        Returns
        -------
        list[str]
            Their ids; empty when every DC has a class.
        """
        served = set().union(*(c.nodes for c in self.classes))
        return [self.instance.node_ids[i] for i in range(1, self.instance.n_dcs + 1) if i not in served]

    def block(self, name: str) -> RowBlock:
        """The row block of that name.

        Parameters
        ----------
        name : str
            A block's name (an equation family or a cut family).

        Returns
        -------
        RowBlock
            The block (``StopIteration`` when there is none).
        """
        return next(b for b in self.blocks if b.name == name)

    def row_counts(self) -> dict[str, int]:
        """Rows per block, for ``inspect`` and the benchmarks.

        Returns
        -------
        dict[str, int]
            Rows per block name.
        """
        return {b.name: len(b.rows) for b in self.blocks}

    # ----- hand-off to HiGHS -------------------------------------------------------------
    def to_highs(self, *, relax: bool = False) -> highspy.Highs:
        """A fresh ``Highs`` object holding this model (``relax``: the LP relaxation).

        Parameters
        ----------
        relax : bool
            Drop integrality.

        Returns
        -------
        highspy.Highs
            An object from :func:`~milp_milkrun.runtime.highs.new_highs` with the model passed in.
        """
        h = new_highs()
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.col_cost_ = np.array(self.cost)
        lp.col_lower_ = np.array(self.lower)
        lp.col_upper_ = np.array(self.upper)
        rows = [r for b in self.blocks for r in b.rows]
        lp.num_row_ = len(rows)
        lp.row_lower_ = np.array([r[2] for r in rows])
        lp.row_upper_ = np.array([r[3] for r in rows])
        starts, index, value = _csr(rows)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if z else highspy.HighsVarType.kContinuous for z in self.integer
            ]
        h.passModel(lp)
        return h

    # ----- rounded capacity inequalities ---------------------------------------------------
    def route_requirement(self, members: Sequence[int]) -> int:
        """r(S), the fewest routes that must enter DC set S (:func:`~milp_milkrun.models.capacity_sets.route_requirement`)."""
        return route_requirement(self.instance, self.classes, members)

    def capacity_cut(self, members: Sequence[int]) -> tuple[list[int], list[float], float, float]:
        """The row x(delta(S)) >= 2 r(S) (undirected) or x(delta^-(S)) >= r(S) (directed).

        Parameters
        ----------
        members : Sequence[int]
            The DC indices of S.

        Returns
        -------
        tuple[list[int], list[float], float, float]
            Columns, coefficients, lower and upper bound of the row.
        """
        inside = set(members)
        r = self.route_requirement(members)
        if self.kind == "undirected":
            cols = [c for c, (i, j, _) in enumerate(self.arcs) if (i in inside) != (j in inside)]
            return cols, [1.0] * len(cols), 2.0 * r, math.inf
        cols = [c for c, (i, j, _) in enumerate(self.arcs) if i not in inside and j in inside]
        return cols, [1.0] * len(cols), float(r), math.inf

    def weighted_cut(self, kind: str, members: Sequence[int]) -> tuple[list[int], list[float], float, float]:
        """sum_k Q_k x^k(delta^-(S)) >= l(S) (``load``) or sum_k H_k x^k(delta^-(S)) >= |S| (``stops``).

        Parameters
        ----------
        kind : str
            ``load`` or ``stops``.
        members : Sequence[int]
            The DC indices of S.

        Returns
        -------
        tuple[list[int], list[float], float, float]
            Columns, coefficients, lower and upper bound of the row.
        """
        inside = set(members)
        cols = [c for c, (i, j, _) in enumerate(self.arcs) if i not in inside and j in inside]
        if kind == "load":
            coefs = [self.classes[self.arcs[c][2]].capacity for c in cols]
            return cols, coefs, float(self.instance.demand[list(members)].sum()), math.inf
        return cols, [float(self.classes[self.arcs[c][2]].max_stops) for c in cols], float(len(members)), math.inf

    def edge_values(self, x: np.ndarray) -> np.ndarray:
        """y_ij = x_ij + x_ji summed over classes, a symmetric (N+1)x(N+1) matrix of edge use.

        Parameters
        ----------
        x : np.ndarray
            Column values (an LP or integer point).

        Returns
        -------
        np.ndarray
            The edge-use matrix.
        """
        n = self.instance.n_dcs + 1
        y = np.zeros((n, n))
        for c, (i, j, _) in enumerate(self.arcs):
            if x[c] > EPS:
                y[i, j] += x[c]
                y[j, i] += x[c]
        return y


def _csr(rows: list[tuple[list[int], list[float], float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(r[0]) for r in rows])
    index = np.array([c for r in rows for c in r[0]], dtype=np.int32)
    value = np.array([v for r in rows for v in r[1]], dtype=float)
    return starts, index, value


def can_be_undirected(instance: Instance, classes: Sequence[VehicleClass]) -> bool:
    """The two-index undirected model is exact for one class, symmetric d, no pairs P, no distance limit.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : Sequence[VehicleClass]
        Its vehicle classes.

    Returns
    -------
    bool
        Whether ``kind="undirected"`` may be built.
    """
    symmetric = np.allclose(instance.distance, instance.distance.T, rtol=0, atol=FLOAT_NOISE)
    return len(classes) == 1 and symmetric and not instance.consecutive and classes[0].max_distance is None


def build_strong_model(instance: Instance, *, kind: str = "directed", costs: RouteCosts | None = None) -> StrongModel:
    """The strong model of ``instance``, ``directed`` by default.

    ``undirected`` (only where :func:`can_be_undirected`) has half the variables but is exact only
    through the cut loop, which must restart HiGHS (losing its search tree) whenever an integer point
    breaks a cut; the compact directed model is searched in one uninterrupted run.

    Parameters
    ----------
    instance
        The instance.
    kind
        ``directed`` or ``undirected``.
    costs
        The objective (distance or cost; None: the instance's own). Arc i -> j of class k costs
        c_k d_ij, plus the fixed cost F_k on the arcs that leave the hub (one per route).

    Returns
    -------
    StrongModel
        Columns, named row blocks and the cut separator's data.
    """
    require_time_support(instance, "strong")
    classes = vehicle_classes(instance)
    costs = linear_costs(instance, costs)
    if kind == "undirected":
        if not can_be_undirected(instance, classes):
            raise ValueError(
                "the undirected model needs one vehicle class, symmetric distances, no pairs P, no distance limit"
            )
        return _build_undirected(instance, classes, costs)
    return _build_directed(instance, classes, costs)


# ----- the undirected two-index variant ---------------------------------------------------------
def _build_undirected(instance: Instance, classes: Sequence[VehicleClass], costs: RouteCosts) -> StrongModel:
    (vc,) = classes
    n, d = instance.n_dcs, instance.distance
    rates = costs.rates[vc.vehicle_type]
    arcs, cost, upper, names = [], [], [], []
    for j in sorted(vc.nodes):
        if not instance.is_damaged(instance.hub.id, instance.node_ids[j]):
            arcs.append((0, j, 0))
            cost.append(rates.per_km * float(d[0, j]) + rates.fixed / 2)  # a route has two hub edge ends
            upper.append(2.0)  # 2 = the single-DC round trip hub -> j -> hub
            names.append(f"x[{instance.hub.id},{instance.node_ids[j]}]")
    for i in sorted(vc.nodes):
        for j in sorted(vc.nodes):
            if i < j and _pair_fits(instance, vc, i, j):
                arcs.append((i, j, 0))
                cost.append(rates.per_km * float(d[i, j]))
                upper.append(1.0)
                names.append(f"x[{instance.node_ids[i]},{instance.node_ids[j]}]")
    model = StrongModel(
        instance, "undirected", classes, arcs, cost, [0.0] * len(arcs), upper, [True] * len(arcs), names, [], costs
    )
    degree = RowBlock("eq03_degree", "x(delta(j)) = 2   for all j in V'  (one arc in, one arc out)")
    for j in range(1, n + 1):
        cols = [c for c, (a, b, _) in enumerate(arcs) if j in (a, b)]
        degree.add(cols, [1.0] * len(cols), 2.0, 2.0)
    fleet = RowBlock("eq02b_fleet", "x(delta(0)) <= 2 K   (each of the K vehicles leaves and returns once)")
    hub_cols = [c for c, (a, _, _) in enumerate(arcs) if a == 0]
    fleet.add(hub_cols, [1.0] * len(hub_cols), 0.0, 2.0 * vc.count)
    cuts = RowBlock(
        "rci_capacity_cuts", "x(delta(S)) >= 2 r(S), r(S) = max(ceil(l(S)/Q), ceil(|S|/H))   for S in V' (separated)"
    )
    model.blocks = [degree, fleet, cuts]
    cuts.add(*model.capacity_cut(range(1, n + 1)))  # S = V': enough vehicles for the whole demand
    return model


def _pair_fits(instance: Instance, vc: VehicleClass, i: int, j: int) -> bool:
    """Arc i -> j between two DCs may exist in class ``vc`` (reductions of (5), (6), (7), (11))."""
    if instance.is_damaged(instance.node_ids[i], instance.node_ids[j]) or vc.max_stops < 2:
        return False
    if instance.demand[i] + instance.demand[j] > vc.capacity + FLOAT_NOISE:
        return False
    if vc.max_distance is not None:
        sp = shortest_paths(instance)
        return bool(sp[0, i] + instance.distance[i, j] + sp[j, 0] <= allowance(vc.max_distance))
    return True


# ----- the directed per-class variant -------------------------------------------------------------
def directed_arcs(instance: Instance, classes: Sequence[VehicleClass]) -> list[tuple[int, int, int]]:
    """The arcs of the directed model that survive the exact reductions.

    An arc is left out when a consecutive pair forbids it, when it is a damaged hub road, or when
    the two DCs cannot share a route of the class.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : Sequence[VehicleClass]
        Its vehicle classes.

    Returns
    -------
    list[tuple[int, int, int]]
        ``(i, j, k)``: arc i -> j for class k (node 0 is the hub).
    """
    succ = {instance.index[a]: instance.index[b] for a, b in instance.consecutive}
    pred = {b: a for a, b in succ.items()}
    hub = instance.hub.id
    arcs = []
    for k, vc in enumerate(classes):
        nodes = sorted(vc.nodes)
        for i in [0, *nodes]:
            for j in [0, *nodes]:
                if i == j or (i in succ and succ[i] != j) or (j in pred and pred[j] != i):
                    continue
                if 0 in (i, j):
                    if not instance.is_damaged(hub, instance.node_ids[i + j]):
                        arcs.append((i, j, k))
                elif _pair_fits(instance, vc, i, j):
                    arcs.append((i, j, k))
    return arcs


def _build_directed(instance: Instance, classes: Sequence[VehicleClass], costs: RouteCosts) -> StrongModel:
    n, d, load = instance.n_dcs, instance.distance, instance.demand
    arcs = directed_arcs(instance, classes)
    ids = instance.node_ids
    names = [f"x[{ids[i]},{ids[j]},{classes[k].name}]" for i, j, k in arcs]
    rates = [costs.rates[vc.vehicle_type] for vc in classes]
    arc_cost = [rates[k].per_km * float(d[i, j]) + (rates[k].fixed if i == 0 else 0.0) for i, j, k in arcs]
    model = StrongModel(
        instance,
        "directed",
        classes,
        arcs,
        arc_cost,
        [0.0] * len(arcs),
        [1.0] * len(arcs),
        [True] * len(arcs),
        names,
        [],
        costs,
    )
    into: dict[int, list[int]] = {j: [] for j in range(n + 1)}
    out: dict[int, list[int]] = {i: [] for i in range(n + 1)}
    for c, (i, j, _k) in enumerate(arcs):
        into[j].append(c)
        out[i].append(c)

    one_in = RowBlock("eq03_one_in", "sum_k sum_i x^k_ij = 1   for all j in V'  (one out is implied by (2))")
    for j in range(1, n + 1):
        one_in.add(into[j], [1.0] * len(into[j]), 1.0, 1.0)
    balance = RowBlock("eq02_flow_balance", "sum_i x^k_ij - sum_i x^k_ji = 0   for all j in V', classes k")
    for k, vc in enumerate(classes):
        for j in sorted(vc.nodes):
            cols = [c for c in into[j] if arcs[c][2] == k] + [c for c in out[j] if arcs[c][2] == k]
            coefs = [1.0 if arcs[c][1] == j else -1.0 for c in cols]
            balance.add(cols, coefs, 0.0, 0.0)
    fleet = RowBlock("eq02b_fleet", "sum_j x^k_0j <= |class k|   for all classes k  (each vehicle one trip)")
    for k, vc in enumerate(classes):
        cols = [c for c in out[0] if arcs[c][2] == k]
        fleet.add(cols, [1.0] * len(cols), 0.0, float(vc.count))
    consecutive = RowBlock("eq10_consecutive", "sum_k x^k_ij = 1   for all (i, j) in P")
    for a, b in instance.consecutive:
        cols = [c for c, (i, j, _) in enumerate(arcs) if (i, j) == (instance.index[a], instance.index[b])]
        consecutive.add(cols, [1.0] * len(cols), 1.0, 1.0)
    model.blocks = [one_in, balance, fleet, consecutive]

    pair_arcs = _arcs_by_pair(arcs)
    resources = [RouteResources.of_class(instance, vc) for vc in classes]  # each row's limit R_k
    served_by = {i: [r for vc, r in zip(classes, resources) if i in vc.nodes] for i in range(1, n + 1)}
    _add_resource(
        model,
        "q",
        "load",
        "eq05",
        pair_arcs,
        into,
        out,
        amount=load,
        limit={k: r.load.limit for k, r in enumerate(resources)},
        upper={i: max([r.load.limit for r in served_by[i]], default=float(load[i])) for i in range(1, n + 1)},
    )
    if _needs_positions(instance, classes):
        _add_resource(
            model,
            "p",
            "stops",
            "eq07",
            pair_arcs,
            into,
            out,
            amount=np.ones(n + 1),
            limit={k: r.stops.limit for k, r in enumerate(resources)},
            upper={i: max([r.stops.limit for r in served_by[i]], default=1.0) for i in range(1, n + 1)},
        )
    if any(math.isfinite(r.distance.limit) for r in resources):
        _add_distance(model, into, out, served_by, resources)
    cuts = RowBlock(
        "rci_capacity_cuts", "sum_k x^k(delta^-(S)) >= r(S), the fewest vehicles covering l(S) and |S|   (separated)"
    )
    weighted = RowBlock(
        "wci_weighted_cuts", "sum_k Q_k x^k(delta^-(S)) >= l(S) and sum_k H_k x^k(delta^-(S)) >= |S|   (separated)"
    )
    model.blocks += [cuts, weighted]
    cuts.add(*model.capacity_cut(range(1, n + 1)))  # S = V': enough vehicles for the whole demand
    return model


def _needs_positions(instance: Instance, classes: Sequence[VehicleClass]) -> bool:
    """Positions p are needed for a binding stop limit, or to forbid subtours of zero-demand DCs."""
    binding = any(vc.max_stops < len(vc.nodes) for vc in classes)
    return binding or bool((instance.demand[1:] <= 0).any())


def _arcs_by_pair(arcs: list[tuple[int, int, int]]) -> dict[tuple[int, int], list[int]]:
    by_pair: dict[tuple[int, int], list[int]] = {}
    for c, (i, j, _) in enumerate(arcs):
        by_pair.setdefault((i, j), []).append(c)
    return by_pair


def _add_column(model: StrongModel, name: str, lower: float, upper: float) -> int:
    model.cost.append(0.0)
    model.lower.append(lower)
    model.upper.append(upper)
    model.integer.append(False)
    model.names.append(name)
    return len(model.cost) - 1


def _add_resource(model, var, what, number, pair_arcs, into, out, *, amount, limit, upper) -> None:
    """Cumulative resource r_i (load or stop count up to and including DC i), lifted MTZ.

    r_i - r_j + R x_ij + (R - a_i - a_j) x_ji <= R - a_j   (Desrochers-Laporte; x summed over classes)
    r_i <= sum_k R_k x^k(delta^-(i)) - sum_k sum_{j in V'} a_j x^k_ij    (per-route limit of i's class)
    r_i >= a_i + sum_k sum_{j in V'} a_j x^k_ji                         (predecessor's amount)
    Along every route r increases by exactly a_j per arc, so the last DC holds the route's total.
    """
    inst = model.instance
    n, arcs = inst.n_dcs, model.arcs
    col = {i: _add_column(model, f"{var}[{inst.node_ids[i]}]", float(amount[i]), upper[i]) for i in range(1, n + 1)}
    order = RowBlock(
        f"{number}_{what}_order",
        f"{var}_i - {var}_j + R x_ij + (R - a_i - a_j) x_ji <= R - a_j   (lifted MTZ of the {what})",
    )
    for (i, j), cols in pair_arcs.items():
        if 0 in (i, j):
            continue
        big = max(upper[i], upper[j])
        back = pair_arcs.get((j, i), [])
        order.add(
            [col[i], col[j], *cols, *back],
            [1.0, -1.0, *[big] * len(cols), *[big - amount[i] - amount[j]] * len(back)],
            -math.inf,
            big - amount[j],
        )
    limit_rows = RowBlock(
        f"{number}_{'capacity' if what == 'load' else what}",
        f"{var}_i <= sum_k R_k x^k(delta^-(i)) - sum_{{j in V'}} a_j x_ij   (the route's {what} limit)",
    )
    start_rows = RowBlock(f"{number}_{what}_start", f"{var}_i >= a_i + sum_{{j in V'}} a_j x_ji")
    for i in range(1, n + 1):
        cols_in = into[i]
        cols_out = [c for c in out[i] if arcs[c][1] != 0]
        limit_rows.add(
            [col[i], *cols_in, *cols_out],
            [1.0, *[-limit[arcs[c][2]] for c in cols_in], *[float(amount[arcs[c][1]]) for c in cols_out]],
            -math.inf,
            0.0,
        )
        preds = [c for c in cols_in if arcs[c][0] != 0]
        start_rows.add(
            [col[i], *preds], [1.0, *[-float(amount[arcs[c][0]]) for c in preds]], float(amount[i]), math.inf
        )
    model.blocks += [order, limit_rows, start_rows]


def _add_distance(model: StrongModel, into, out, served_by, resources: list[RouteResources]) -> None:
    """Distance w_i driven from the hub on arrival at DC i (big-M MTZ; exact because d >= 0).

    w_i - w_j + (M_ij + d_ij) sum_k x^k_ij <= M_ij, M_ij = ub(w_i) - lb(w_j)   (w grows along arcs)
    w_j >= sum_k d_0j x^k_0j                                                    (first stop)
    w_i <= ub(w_i) - sum_k (ub(w_i) - D_k + d_i0) x^k_i0                        (6) at the last stop
    """
    inst = model.instance
    n, d, arcs = inst.n_dcs, inst.distance, model.arcs
    sp = shortest_paths(inst)
    longest = float(sum(d[i].max() for i in range(n + 1)))  # no route is longer than this
    ub = {}
    for i in range(1, n + 1):
        limits = [r.distance.limit for r in served_by[i]]  # inf: no limit
        ub[i] = max(min(max(limits, default=0.0), longest) - float(sp[i, 0]), float(sp[0, i]))
    col = {i: _add_column(model, f"w[{inst.node_ids[i]}]", float(sp[0, i]), ub[i]) for i in range(1, n + 1)}
    order = RowBlock("eq06_distance_order", "w_i - w_j + (M_ij + d_ij) x_ij <= M_ij   (MTZ of the distance driven)")
    first = RowBlock("eq06_distance_start", "w_j >= d_0j sum_k x^k_0j")
    limit = RowBlock("eq06_distance", "w_i + d_i0 <= D_k  when class k returns from i to the hub")
    pair_arcs = _arcs_by_pair(arcs)
    for (i, j), cols in pair_arcs.items():
        if i == 0:
            first.add([col[j], *cols], [1.0, *[-float(d[0, j])] * len(cols)], 0.0, math.inf)
        elif j != 0:
            big = ub[i] - float(sp[0, j])
            order.add([col[i], col[j], *cols], [1.0, -1.0, *[big + float(d[i, j])] * len(cols)], -math.inf, big)
    for i in range(1, n + 1):
        back = [c for c in out[i] if arcs[c][1] == 0 and math.isfinite(resources[arcs[c][2]].distance.limit)]
        slack = [ub[i] - (resources[arcs[c][2]].distance.limit - float(d[i, 0])) for c in back]
        cols = [c for c, s in zip(back, slack) if s > 0]
        if cols:
            limit.add([col[i], *cols], [1.0, *[s for s in slack if s > 0]], -math.inf, ub[i])
    model.blocks += [order, first, limit]
