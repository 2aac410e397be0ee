"""The strong formulation: the same feasible plans as Equations 1-14, in a form HiGHS can close.

Two ideas make it strong while keeping the feasible set exactly that of the exact model:

* **Vehicle classes instead of vehicles.**  Identical vehicles (same type, same forbidden DCs in B)
  are interchangeable, so one arc variable per class replaces one per vehicle: x^k_ij is the number
  of class-k vehicles driving i -> j, and a count row bounds how many leave the hub.  A type whose
  vehicles have different forbidden sets is split into sub-classes of identical vehicles, so (8)/(9)
  become "the arc does not exist in this class".  This removes the symmetry that makes the
  three-index model hopeless for branch and bound.
* **Rounded capacity inequalities** x(delta(S)) >= 2 r(S), r(S) = max(ceil(l(S)/Q), ceil(|S|/H)),
  separated on LP solutions by :func:`separate_capacity_cuts` and added as rows.  They are valid for
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
import networkx as nx
import numpy as np

from milp_milkrun.implied import VehicleClass, shortest_paths, vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.limits import allowance
from milp_milkrun.objectives import RouteCosts, linear_costs
from milp_milkrun.plan import Plan
from milp_milkrun.runtime.highs import new_highs
from milp_milkrun.timing import require_time_support

EPS = 1e-6  # LP values below this are zero; cut violations must exceed it


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
    classes: list[VehicleClass]
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
            lp.integrality_ = [highspy.HighsVarType.kInteger if z else highspy.HighsVarType.kContinuous for z in self.integer]
        h.passModel(lp)
        return h

    # ----- rounded capacity inequalities ---------------------------------------------------
    def route_requirement(self, members: Sequence[int]) -> int:
        """r(S): a lower bound on the number of routes that must enter DC set S (>= 1).

        Routes entering S are distinct vehicles of classes that may serve part of S, each bringing at
        most Q_k load and H_k stops; so at least as many as the fewest such vehicles, largest first,
        whose capacities cover l(S), and likewise for the stop limits cover |S|.

        Parameters
        ----------
        members : Sequence[int]
            The DC indices of S.

        Returns
        -------
        int
            r(S).
        """
        classes = [c for c in self.classes if c.nodes.intersection(members)]
        load = float(self.instance.demand[list(members)].sum())
        by_load = _fewest_vehicles([(c.capacity, c.count) for c in classes], load)
        by_stops = _fewest_vehicles([(float(c.max_stops), c.count) for c in classes], float(len(members)))
        return max(1, by_load, by_stops)

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


def _fewest_vehicles(sizes: list[tuple[float, int]], amount: float) -> int:
    """Fewest vehicles (size, count available) whose sizes add up to ``amount``; one more than all if none do."""
    used, covered = 0, 0.0
    for size, count in sorted(sizes, reverse=True):
        if covered >= amount - 1e-9 or size <= 0:
            break
        take = min(count, math.ceil((amount - covered) / size - 1e-9))
        used, covered = used + take, covered + take * size
    return used if covered >= amount - 1e-9 else used + 1


def _csr(rows: list[tuple[list[int], list[float], float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(r[0]) for r in rows])
    index = np.array([c for r in rows for c in r[0]], dtype=np.int32)
    value = np.array([v for r in rows for v in r[1]], dtype=float)
    return starts, index, value


def can_be_undirected(instance: Instance, classes: list[VehicleClass]) -> bool:
    """The two-index undirected model is exact for one class, symmetric d, no pairs P, no distance limit.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : list[VehicleClass]
        Its vehicle classes.

    Returns
    -------
    bool
        Whether ``kind="undirected"`` may be built.
    """
    symmetric = np.allclose(instance.distance, instance.distance.T, rtol=0, atol=1e-9)
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
            raise ValueError("the undirected model needs one vehicle class, symmetric distances, no pairs P, no distance limit")
        return _build_undirected(instance, classes, costs)
    return _build_directed(instance, classes, costs)


# ----- the undirected two-index variant ---------------------------------------------------------
def _build_undirected(instance: Instance, classes: list[VehicleClass], costs: RouteCosts) -> StrongModel:
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
    model = StrongModel(instance, "undirected", classes, arcs, cost, [0.0] * len(arcs), upper, [True] * len(arcs), names, [], costs)
    degree = RowBlock("eq03_degree", "x(delta(j)) = 2   for all j in V'  (one arc in, one arc out)")
    for j in range(1, n + 1):
        cols = [c for c, (a, b, _) in enumerate(arcs) if j in (a, b)]
        degree.add(cols, [1.0] * len(cols), 2.0, 2.0)
    fleet = RowBlock("eq02b_fleet", "x(delta(0)) <= 2 K   (each of the K vehicles leaves and returns once)")
    hub_cols = [c for c, (a, _, _) in enumerate(arcs) if a == 0]
    fleet.add(hub_cols, [1.0] * len(hub_cols), 0.0, 2.0 * vc.count)
    cuts = RowBlock("rci_capacity_cuts", "x(delta(S)) >= 2 r(S), r(S) = max(ceil(l(S)/Q), ceil(|S|/H))   for S in V' (separated)")
    model.blocks = [degree, fleet, cuts]
    cuts.add(*model.capacity_cut(range(1, n + 1)))  # S = V': enough vehicles for the whole demand
    return model


def _pair_fits(instance: Instance, vc: VehicleClass, i: int, j: int) -> bool:
    """Arc i -> j between two DCs may exist in class ``vc`` (reductions of (5), (6), (7), (11))."""
    if instance.is_damaged(instance.node_ids[i], instance.node_ids[j]) or vc.max_stops < 2:
        return False
    if instance.demand[i] + instance.demand[j] > vc.capacity + 1e-9:
        return False
    if vc.max_distance is not None:
        sp = shortest_paths(instance)
        return bool(sp[0, i] + instance.distance[i, j] + sp[j, 0] <= allowance(vc.max_distance))
    return True


# ----- the directed per-class variant -------------------------------------------------------------
def directed_arcs(instance: Instance, classes: list[VehicleClass]) -> list[tuple[int, int, int]]:
    """The arcs of the directed model that survive the exact reductions.

    An arc is left out when a consecutive pair forbids it, when it is a damaged hub road, or when
    the two DCs cannot share a route of the class.

    Parameters
    ----------
    instance : Instance
        The instance.
    classes : list[VehicleClass]
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


def _build_directed(instance: Instance, classes: list[VehicleClass], costs: RouteCosts) -> StrongModel:
    n, d, load = instance.n_dcs, instance.distance, instance.demand
    arcs = directed_arcs(instance, classes)
    ids = instance.node_ids
    names = [f"x[{ids[i]},{ids[j]},{classes[k].name}]" for i, j, k in arcs]
    rates = [costs.rates[vc.vehicle_type] for vc in classes]
    arc_cost = [rates[k].per_km * float(d[i, j]) + (rates[k].fixed if i == 0 else 0.0) for i, j, k in arcs]
    model = StrongModel(
        instance, "directed", classes, arcs, arc_cost,
        [0.0] * len(arcs), [1.0] * len(arcs), [True] * len(arcs), names, [], costs,
    )
    into = {j: [] for j in range(n + 1)}
    out = {i: [] for i in range(n + 1)}
    for c, (i, j, k) in enumerate(arcs):
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
    served_by = {i: [vc for vc in classes if i in vc.nodes] for i in range(1, n + 1)}
    _add_resource(
        model, "q", "load", "eq05", pair_arcs, into, out,
        amount=load, limit={k: vc.capacity for k, vc in enumerate(classes)},
        upper={i: max([vc.capacity for vc in served_by[i]], default=float(load[i])) for i in range(1, n + 1)},
    )
    if _needs_positions(instance, classes):
        _add_resource(
            model, "p", "stops", "eq07", pair_arcs, into, out,
            amount=np.ones(n + 1), limit={k: float(vc.max_stops) for k, vc in enumerate(classes)},
            upper={i: float(max([vc.max_stops for vc in served_by[i]], default=1)) for i in range(1, n + 1)},
        )
    if any(vc.max_distance is not None for vc in classes):
        _add_distance(model, into, out, served_by)
    cuts = RowBlock("rci_capacity_cuts", "sum_k x^k(delta^-(S)) >= r(S), the fewest vehicles covering l(S) and |S|   (separated)")
    weighted = RowBlock("wci_weighted_cuts", "sum_k Q_k x^k(delta^-(S)) >= l(S) and sum_k H_k x^k(delta^-(S)) >= |S|   (separated)")
    model.blocks += [cuts, weighted]
    cuts.add(*model.capacity_cut(range(1, n + 1)))  # S = V': enough vehicles for the whole demand
    return model


def _needs_positions(instance: Instance, classes: list[VehicleClass]) -> bool:
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
    order = RowBlock(f"{number}_{what}_order", f"{var}_i - {var}_j + R x_ij + (R - a_i - a_j) x_ji <= R - a_j   (lifted MTZ of the {what})")
    for (i, j), cols in pair_arcs.items():
        if 0 in (i, j):
            continue
        big = max(upper[i], upper[j])
        back = pair_arcs.get((j, i), [])
        order.add(
            [col[i], col[j], *cols, *back],
            [1.0, -1.0, *[big] * len(cols), *[big - amount[i] - amount[j]] * len(back)],
            -math.inf, big - amount[j],
        )
    limit_rows = RowBlock(f"{number}_{'capacity' if what == 'load' else what}", f"{var}_i <= sum_k R_k x^k(delta^-(i)) - sum_{{j in V'}} a_j x_ij   (the route's {what} limit)")
    start_rows = RowBlock(f"{number}_{what}_start", f"{var}_i >= a_i + sum_{{j in V'}} a_j x_ji")
    for i in range(1, n + 1):
        cols_in = into[i]
        cols_out = [c for c in out[i] if arcs[c][1] != 0]
        limit_rows.add(
            [col[i], *cols_in, *cols_out],
            [1.0, *[-limit[arcs[c][2]] for c in cols_in], *[float(amount[arcs[c][1]]) for c in cols_out]],
            -math.inf, 0.0,
        )
        preds = [c for c in cols_in if arcs[c][0] != 0]
        start_rows.add([col[i], *preds], [1.0, *[-float(amount[arcs[c][0]]) for c in preds]], float(amount[i]), math.inf)
    model.blocks += [order, limit_rows, start_rows]


def _add_distance(model: StrongModel, into, out, served_by) -> None:
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
        limits = [vc.max_distance if vc.max_distance is not None else longest for vc in served_by[i]]
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
        back = [c for c in out[i] if arcs[c][1] == 0 and model.classes[arcs[c][2]].max_distance is not None]
        slack = [ub[i] - (model.classes[arcs[c][2]].max_distance - float(d[i, 0])) for c in back]
        cols = [c for c, s in zip(back, slack) if s > 0]
        if cols:
            limit.add([col[i], *cols], [1.0, *[s for s in slack if s > 0]], -math.inf, ub[i])
    model.blocks += [order, first, limit]


# ----- from column values to a plan ------------------------------------------------------------------
def routes_from_solution(model: StrongModel, x: np.ndarray) -> list[tuple[int, list[int]]]:
    """The round trips of an integer solution as (class index, [DC indices]); DCs on hub-less cycles are left out.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[tuple[int, list[int]]]
        Each trip's class index and DC indices in driving order.
    """
    if model.kind == "undirected":
        return [(0, r) for r in _undirected_routes(model, x)]
    trips = []
    for k in range(len(model.classes)):
        succ: dict[int, list[int]] = {}
        for c, (i, j, kk) in enumerate(model.arcs):
            if kk == k and x[c] > 0.5:
                succ.setdefault(i, []).append(j)
        for first in succ.get(0, []):
            stops, node = [], first
            while node != 0 and len(stops) <= model.instance.n_dcs:
                stops.append(node)
                node = succ[node][0] if succ.get(node) else 0
            trips.append((k, stops))
    return trips


def _undirected_routes(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    adjacent: dict[int, list[int]] = {}
    for c, (i, j, _) in enumerate(model.arcs):
        for _ in range(int(round(x[c]))):
            adjacent.setdefault(i, []).append(j)
            adjacent.setdefault(j, []).append(i)
    routes = []
    while adjacent.get(0):
        node, stops = adjacent[0].pop(), []
        adjacent[node].remove(0)
        while node != 0 and len(stops) <= model.instance.n_dcs:
            stops.append(node)
            nxt = adjacent[node].pop()
            adjacent[nxt].remove(node)
            node = nxt
        routes.append(stops)
    return routes


def trip_sequences(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    """Every DC sequence of an integer point: its round trips, then its cycles without the hub.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[list[int]]
        The DC indices of each sequence.
    """
    trips = [stops for _, stops in routes_from_solution(model, x)]
    seen = {s for t in trips for s in t}
    y = model.edge_values(x)
    for comp in _components(y, [j for j in range(1, model.instance.n_dcs + 1) if j not in seen]):
        cycle, node, left = [comp[0]], comp[0], set(comp[1:])
        while left:
            node = min(left, key=lambda u: (-y[node, u], u))
            cycle.append(node)
            left.discard(node)
        trips.append(cycle)
    return trips


def split_giant_tour(model: StrongModel, order: Sequence[int]) -> list[list[int]] | None:
    """Cut a DC sequence into at most K feasible round trips of least total cost (Prins' split), or None.

    Only for the undirected one-class model: a trip is feasible when its load, stop count and edges fit.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    order : Sequence[int]
        DC indices in visiting order.

    Returns
    -------
    list[list[int]] or None
        The trips, or None when no split into at most K feasible trips exists.
    """
    (vc,) = model.classes
    d, load = model.instance.distance, model.instance.demand
    edges = {(i, j) for i, j, _ in model.arcs}
    has = lambda a, b: (min(a, b), max(a, b)) in edges  # noqa: E731
    n, fleet = len(order), vc.count
    best = np.full((fleet + 1, n + 1), np.inf)
    back = np.zeros((fleet + 1, n + 1), dtype=int)
    best[0, 0] = 0.0
    for start in range(n):
        trip_load, inner = 0.0, 0.0
        for end in range(start, min(n, start + vc.max_stops)):
            trip_load += load[order[end]]
            if end > start:
                if not has(order[end - 1], order[end]):
                    break
                inner += d[order[end - 1], order[end]]
            if trip_load > vc.capacity + 1e-9:
                break
            if not (has(0, order[start]) and has(0, order[end])):
                continue
            cost = d[0, order[start]] + inner + d[order[end], 0]
            for k in range(fleet):
                if best[k, start] + cost < best[k + 1, end + 1]:
                    best[k + 1, end + 1] = best[k, start] + cost
                    back[k + 1, end + 1] = start
    k = int(best[:, n].argmin())
    if not math.isfinite(best[k, n]):
        return None
    trips, end = [], n
    while end > 0:
        start = int(back[k, end])
        trips.append(list(order[start:end]))
        end, k = start, k - 1
    return trips


def solution_from_plan(model: StrongModel, plan: Plan) -> np.ndarray | None:
    """Column values of the arcs of a (checked) plan, or None when an arc is absent from the model.

    Parameters
    ----------
    model : StrongModel
        The model.
    plan : Plan
        A plan that passes the checker.

    Returns
    -------
    np.ndarray or None
        One value per column (1 on the plan's arcs), or None.
    """
    x = np.zeros(model.n_arcs)
    lookup = {(i, j, k): c for c, (i, j, k) in enumerate(model.arcs)}
    class_of = {v: k for k, vc in enumerate(model.classes) for v in vc.vehicles}
    idx = model.instance.index
    for route in plan.used_routes():
        path = [0, *(idx[s] for s in route.stops), 0]
        for a, b in zip(path, path[1:]):
            key = (min(a, b), max(a, b), 0) if model.kind == "undirected" else (a, b, class_of[route.vehicle])
            if key not in lookup:
                return None
            x[lookup[key]] += 1.0
    return x


def violated_route_sets(model: StrongModel, x: np.ndarray) -> list[list[int]]:
    """DC sets S of an integer solution whose capacity inequality is violated (subtours, overfull routes).

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An integer point (column values).

    Returns
    -------
    list[list[int]]
        The sets, as DC indices.
    """
    n = model.instance.n_dcs
    trips = routes_from_solution(model, x)
    on_route = {s for _, stops in trips for s in stops}
    sets = [stops for _, stops in trips if _route_requirement_violated(model, stops)]
    sets += _components(model.edge_values(x), [j for j in range(1, n + 1) if j not in on_route])
    return sets


def _route_requirement_violated(model: StrongModel, stops: list[int]) -> bool:
    return model.route_requirement(stops) > 1


def _components(y: np.ndarray, nodes: Sequence[int]) -> list[list[int]]:
    """Connected components among ``nodes`` of the support graph y > EPS (the hub excluded)."""
    remaining, found = set(nodes), []
    while remaining:
        stack = [remaining.pop()]
        comp = []
        while stack:
            v = stack.pop()
            comp.append(v)
            for u in [u for u in remaining if y[v, u] > EPS]:
                remaining.discard(u)
                stack.append(u)
        found.append(sorted(comp))
    return found


def _fractional_capacity_sets(model: StrongModel, y: np.ndarray) -> list[list[int]]:
    """For each DC i, the set S containing i that minimises y(delta(S)) - 2 l(S)/Q (a minimum cut).

    Source s -> DC j with capacity 2 l_j/Q, DC - DC edges with capacity y_ij, DC -> hub (the sink)
    with y_j0: a cut with S on the source side costs y(delta(S)) + 2 l(V' \\ S)/Q.  Forcing i into S
    (infinite s -> i) gives the best fractional capacity set through i, a strong candidate for the
    rounded inequality.
    """
    n = model.instance.n_dcs
    capacity = max(c.capacity for c in model.classes)
    graph = nx.DiGraph()
    for i in range(1, n + 1):
        graph.add_edge("s", i, capacity=2.0 * float(model.instance.demand[i]) / capacity)
        for j in range(n + 1):
            if j != i and y[i, j] > EPS:
                graph.add_edge(i, j, capacity=float(y[i, j]))
    graph.add_node(0)
    sets = set()
    for i in range(1, n + 1):
        saved = graph["s"][i]["capacity"]
        graph["s"][i]["capacity"] = math.inf
        _, (source_side, _) = nx.minimum_cut(graph, "s", 0)
        graph["s"][i]["capacity"] = saved
        members = frozenset(v for v in source_side if v != "s")
        if 0 < len(members) < n + 1:
            sets.add(members)
    return [sorted(m) for m in sets]


# ----- separation of rounded capacity inequalities on an LP point -----------------------------------------
def candidate_sets(model: StrongModel, y: np.ndarray) -> list[tuple[list[int], float]]:
    """Candidate DC sets S with y(E(S)), the LP value inside S.

    The connected components of the support graph; for every seed DC the sets grown greedily by the
    DC most connected to the current set (the usual shrinking heuristic); and the minimum-cut sets of
    :func:`_fractional_capacity_sets`.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    y : np.ndarray
        Edge use y_ij = x_ij + x_ji summed over classes (:meth:`StrongModel.edge_values`).

    Returns
    -------
    list[tuple[list[int], float]]
        Each set (DC indices) with y(E(S)).
    """
    n = model.instance.n_dcs
    inner = y[1:, 1:]
    found: dict[frozenset[int], float] = {}

    def internal_of(members: Sequence[int]) -> float:
        idx = np.array(members) - 1
        return float(inner[np.ix_(idx, idx)].sum()) / 2

    for comp in _components(y, range(1, n + 1)):
        found.setdefault(frozenset(comp), internal_of(comp))
    for seed in range(n):
        in_set = np.zeros(n, dtype=bool)
        in_set[seed] = True
        link = inner[seed].copy()  # y(S : v) for every v
        internal = 0.0
        for _ in range(min(n - 1, 3 * n // 4)):
            candidates = np.where(in_set, -1.0, link)
            v = int(candidates.argmax())
            if candidates[v] <= EPS:
                break
            in_set[v] = True
            internal += link[v]
            link += inner[v]
            found.setdefault(frozenset(np.flatnonzero(in_set) + 1), internal)
    for members in _fractional_capacity_sets(model, y):
        found.setdefault(frozenset(members), internal_of(members))
    return [(sorted(int(v) for v in s), internal) for s, internal in found.items()]


def separate_capacity_cuts(model: StrongModel, x: np.ndarray, *, max_cuts: int = 60) -> list[list[int]]:
    """DC sets S whose rounded capacity inequality the LP point ``x`` violates, most violated first.

    With degree 2 at every DC, y(delta(S)) = 2|S| - 2 y(E(S)), so each candidate needs y(E(S)) only.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An LP point (column values).
    max_cuts : int
        At most this many sets are returned.

    Returns
    -------
    list[list[int]]
        The sets, as DC indices.
    """
    violated = []
    for members, internal in candidate_sets(model, model.edge_values(x)):
        violation = 2 * model.route_requirement(members) - (2 * len(members) - 2 * internal)
        if violation > 1e-4:
            violated.append((violation, members))
    violated.sort(key=lambda vm: -vm[0])
    return [m for _, m in violated[:max_cuts]]


def separate_weighted_cuts(model: StrongModel, x: np.ndarray, *, max_cuts: int = 60) -> list[tuple[str, list[int]]]:
    """Violated weighted cuts ("load" or "stops", S) of a directed model with classes of different sizes.

    sum_k Q_k x^k(delta^-(S)) >= l(S): every entry into S is a distinct route of some class k that
    brings at most Q_k; likewise sum_k H_k x^k(delta^-(S)) >= |S| for the stop limits.  They see what
    the route count r(S) cannot: a set that one large vehicle could serve but the LP serves with small ones.

    Parameters
    ----------
    model : StrongModel
        The model the point belongs to.
    x : np.ndarray
        An LP point (column values).
    max_cuts : int
        At most this many cuts are returned.

    Returns
    -------
    list[tuple[str, list[int]]]
        Each cut's kind and its set (DC indices), most violated first.
    """
    sizes = {
        "load": ([c.capacity for c in model.classes], model.instance.demand),
        "stops": ([float(c.max_stops) for c in model.classes], np.ones(model.instance.n_dcs + 1)),
    }
    kinds = [kind for kind, (per_class, _) in sizes.items() if len(set(per_class)) > 1]
    if model.kind != "directed" or not kinds:
        return []
    n1 = model.instance.n_dcs + 1
    weighted = {kind: np.zeros((n1, n1)) for kind in kinds}
    for c, (i, j, k) in enumerate(model.arcs):
        if x[c] > EPS:
            for kind in kinds:
                weighted[kind][i, j] += sizes[kind][0][k] * x[c]
    violated = []
    for members, _ in candidate_sets(model, model.edge_values(x)):
        inside = np.zeros(n1, dtype=bool)
        inside[members] = True
        for kind in kinds:
            brought = float(weighted[kind][~inside][:, inside].sum())
            need = float(sizes[kind][1][members].sum())
            if need - brought > 1e-4 * max(1.0, need):
                violated.append(((need - brought) / max(need, 1e-9), kind, members))
    violated.sort(key=lambda v: -v[0])
    return [(kind, members) for _, kind, members in violated[:max_cuts]]
