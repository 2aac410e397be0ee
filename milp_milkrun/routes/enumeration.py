"""Route enumeration: every elementary route of a class whose reduced cost is within a threshold.

Once a node's Lagrangian bound L is close to the incumbent's cost, only routes of small reduced cost
can be part of a better plan: a plan with route r of class k costs at least L + rc_r - min(0, c*_k)
(the other routes cost at least c*_k each, see :mod:`milp_milkrun.routes.master`), so a plan
costing at most ``cutoff`` uses only routes with rc_r <= cutoff - L + min(0, c*_k).  When those routes
are few, a search over them (:mod:`~milp_milkrun.routes.pool_search`) settles the node exactly (Baldacci,
Christofides and Mingozzi 2008; Pecin et al. 2017): the best plan of the node, or the proof that none beats the
incumbent.

The labelling is the pricing's (:mod:`milp_milkrun.routes.pricing`: the same network and resources;
the completion bound over walks without 2-cycles, from which a path never turns straight back to the DC
it came from, and where the costs reverse the larger bound on a route's rest over ng-routes within the
threshold, :mod:`~milp_milkrun.routes.suffix_bounds`), made **elementary** (the visited set is a bitmask,
every DC at most once) and **without reduced-cost dominance**: a label is dropped only for another one at
the same DC over the same set of DCs that drove no farther and whose load term (emissions) is no larger.
Any completion of the dropped path completes the kept one with the same load, stops and DCs, no more
distance and so no more cost (a route's value F_k + c_k * length + b_k * sum_j q_j * (distance to j) grows
with the length and with the distance each DC's load rides); the plan using the kept path instead is as good,
and if its route lies above the threshold, so does the plan with the dropped one.

With time (:mod:`milp_milkrun.timing`) a label carries the pricing's clock
(:mod:`~milp_milkrun.routes.clocks`, one label per window when a shift or a cost per hour makes the
duration matter) and a label is dropped only for one over the same set that also starts no later
(and then departs as late and drives no longer): such a label admits every completion the dropped one
does, in no longer a duration.  A route's cost per hour is charged when it closes at the hub, and
routes over the same DCs are kept apart unless one is shorter and no longer in time.

With subset-row cuts (``subset_rows``) a label also pays their penalties, carried as the pricing does
(the parity of its visits to each cut's DCs): the reduced cost of an elementary route then includes
-sigma_S a_r(S) (floor(|r & S| / 2), or less with a limited memory), which only grows along a path, so
pruning on it stays valid.  Two labels over the same set of DCs may differ in their parities (a limited
memory forgets them), and the dominance above stays valid all the same: the plan that uses the kept
path instead of the dropped one meets every cut (they hold for every plan) and costs no more, so its
route is listed whenever the dropped one's plan is within the threshold.  Enumerating without the
penalties would only list more routes.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from milp_milkrun.routes.bidirectional import reverses
from milp_milkrun.routes.clocks import come_home, duration_floor, first_clocks, next_clocks, window_copies
from milp_milkrun.routes.label_bounds import LabelBounds, label_bounds
from milp_milkrun.routes.labels import PricingTimeout
from milp_milkrun.routes.networks import ClassNetwork
from milp_milkrun.routes.pricing import NEGATIVE, TooManyLabels
from milp_milkrun.routes.subset_rows import SubsetRowPenalties
from milp_milkrun.routes.suffix_bounds import suffix_bounds

WORD = 64  # DCs per word of a visited-set bitmask
# the dominance sorts the labels of a level in parts of about this many (split by their visited set, which every
# dominating label shares), looking at the deadline between two: X-n106-k14's levels of millions of labels took one
# sort of 39 s past an hour's limit
PART_ROWS = 1 << 20
MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd 64-bit constant: the visited sets' words times it, xor-ed, pick a part


class TooManyRoutes(Exception):
    """The enumeration outgrew its label budget (the threshold is too loose to settle the node this way)."""


def enumerate_routes(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    threshold: float,
    *,
    max_labels: int,
    deadline: float = math.inf,
    subset_rows: SubsetRowPenalties | None = None,
) -> list[tuple[int, ...]]:
    """Every elementary route of the class with reduced cost ``start_cost + arc costs (+ load term) <=
    threshold``, up to dominance by a shorter path over the same DCs (see the module doc): one route per
    set of DCs without a load term.

    Parameters
    ----------
    net : ClassNetwork
        The class's pricing network (arcs, load units, limits).
    arc_cost : np.ndarray
        Reduced arc costs ``c_k d_ij - pi_j - (row duals on the arc)``, as the pricing gets them.
    start_cost : float
        What a route pays before its first arc: ``F_k - mu_k``.
    threshold : float
        The largest reduced cost listed.
    max_labels : int
        Label budget; past it :class:`TooManyRoutes` is raised.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`~milp_milkrun.routes.pricing.PricingTimeout` is raised.
    subset_rows : SubsetRowPenalties, optional
        Subset-row cuts whose penalties count in the reduced cost (see the module doc).

    Returns
    -------
    list[tuple[int, ...]]
        The routes, as node indices of their stops in order.
    """
    n = len(arc_cost)
    words = (n + WORD - 1) // WORD
    bounds = _bounds(net, arc_cost, start_cost, threshold, subset_rows, max_labels, deadline)
    slack = threshold - NEGATIVE  # the pricing's tolerance, on the safe side
    first, window = window_copies(net, np.flatnonzero(net.allowed[0, 1:]) + 1)
    (start, latest, drive), ok = first_clocks(net, first, window)
    first, start, latest, drive = first[ok], start[ok], latest[ok], drive[ok]
    term = np.zeros(len(first)) + net.load_term(first, net.distance[0, first])
    level = {
        "cost": start_cost + arc_cost[0, first] + term,
        "term": term,
        "load": net.load[first].astype(np.int64),
        "dist": net.distance[0, first].astype(float),
        "node": first,
        "seen": _bits(first, words),
        "parent": np.full(len(first), -1),
        "parity": subset_rows.cuts_of[first] if subset_rows is not None else np.zeros(len(first), dtype=np.int64),
        "time": start,
        "latest": latest,
        "drive": drive,
    }
    trace: list[tuple[np.ndarray, np.ndarray]] = []  # per stop count: node and parent (row of the level before)
    ends: list[tuple[np.ndarray, ...]] = []  # routes: set, length, load term, duration cost, level, row
    labels = 0
    distance = net.resources.distance  # (6): a route's length within the class's limit
    for stops in range(1, net.max_stops + 1):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        level = _shortest_per_set(level, deadline)
        trace.append((level["node"], level["parent"]))
        labels += len(level["node"])
        if labels > max_labels:
            raise TooManyRoutes("labels")
        node = level["node"]
        length = distance.close(level["dist"], node)
        back = net.allowed[node, 0] & distance.within(length) & (level["cost"] + arc_cost[node, 0] <= slack)
        in_time, hourly = come_home(net, node, (level["time"], level["latest"], level["drive"]))
        back &= in_time & (level["cost"] + arc_cost[node, 0] + hourly <= slack)  # with the duration's cost
        home = np.flatnonzero(back)
        ends.append(
            (level["seen"][home], length[home], level["term"][home], hourly[home], np.full(len(home), stops - 1), home)
        )
        if stops == net.max_stops or not len(node):
            break
        level = _extend(level, net, arc_cost, bounds, net.max_stops - stops - 1, slack, deadline)
    seen, length, term, hourly, depth, row = (np.concatenate([e[f] for e in ends]) for f in range(6))
    keep = _undominated(seen, length, np.column_stack([term, hourly]), None, deadline)
    return [_path(trace, int(depth[k]), int(row[k])) for k in keep]


def _bounds(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    threshold: float,
    subset_rows: SubsetRowPenalties | None,
    max_labels: int,
    deadline: float,
) -> LabelBounds:
    """The completion bounds that prune: the labelling's, and where the costs reverse the ng-route bounds on a
    route's rest within the threshold (:mod:`~milp_milkrun.routes.suffix_bounds`, from a labelling of at most
    ``max_labels`` labels as well)."""
    bounds = label_bounds(net, arc_cost, subset_rows)
    if not reverses(net):
        return bounds
    try:
        rests = suffix_bounds(
            net,
            arc_cost,
            start_cost,
            threshold,
            bounds,
            subset_rows=subset_rows,
            max_labels=max_labels,
            deadline=deadline,
        )
    except TooManyLabels:  # named apart from the enumeration's own labels, so that a log tells which gave up
        raise TooManyRoutes("labels of the bound on a route's rest") from None
    return replace(bounds, suffixes=rests)


def _bits(nodes: np.ndarray, words: int) -> np.ndarray:
    seen = np.zeros((len(nodes), words), dtype=np.uint64)
    seen[np.arange(len(nodes)), nodes // WORD] = np.left_shift(np.uint64(1), (nodes % WORD).astype(np.uint64))
    return seen


def _shortest_per_set(level: dict[str, np.ndarray], deadline: float) -> dict[str, np.ndarray]:
    """Keep, for each DC and visited set, the label that drove the least distance (and those with a
    smaller load term or a better clock than it: an earlier start, a later latest departure or less driving)."""
    keep = _undominated(
        level["seen"],
        level["dist"],
        np.column_stack([level["term"], level["time"], -level["latest"], level["drive"]]),
        level["node"],
        deadline,
    )
    return {name: values[keep] for name, values in level.items()}


def _undominated(
    seen: np.ndarray,
    dist: np.ndarray,
    others: np.ndarray,
    node: np.ndarray | None,
    deadline: float,
    part_rows: int = PART_ROWS,
) -> np.ndarray:
    """Rows no other row of the same set (and node) dominates (:func:`_undominated_part`), found in parts of about
    ``part_rows`` rows (every row of a set in the same part), with a look at ``deadline`` before each part: past it
    :class:`~milp_milkrun.routes.pricing.PricingTimeout` is raised."""
    parts = -(-len(dist) // part_rows)
    if parts <= 1:
        return _undominated_part(seen, dist, others, node)
    mixed = np.bitwise_xor.reduce(seen * MIX, axis=1) % np.uint64(parts)
    by_part = np.argsort(mixed, kind="stable")
    kept = []
    for rows in np.split(by_part, np.cumsum(np.bincount(mixed.astype(np.int64), minlength=parts))[:-1]):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        at = None if node is None else node[rows]
        kept.append(rows[_undominated_part(seen[rows], dist[rows], others[rows], at)])
    return np.concatenate(kept)


def _undominated_part(seen: np.ndarray, dist: np.ndarray, others: np.ndarray, node: np.ndarray | None) -> np.ndarray:
    """Rows no other row of the same set (and node) dominates: the least distance of each group, and the
    rows below that one in a column of ``others`` (its resources where less is better: the load term,
    which grows with the distance driven but may be larger on a shorter path, and the clock)."""
    if not len(dist):
        return np.zeros(0, dtype=np.int64)
    groups = [seen[:, w] for w in range(seen.shape[1])] + ([node] if node is not None else [])
    order = np.lexsort((others[:, 0], dist, *groups))
    keys = np.column_stack([g[order].view(np.int64) for g in groups])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    leader = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    return order[first | (others[order] < others[order][leader]).any(axis=1)]


def _extend(
    level: dict[str, np.ndarray],
    net: ClassNetwork,
    arc_cost: np.ndarray,
    bounds: LabelBounds,
    left: int,
    slack: float,
    deadline: float,
) -> dict[str, np.ndarray]:
    """Every one-DC extension to an unvisited DC that keeps the limits and can stay within the threshold.

    ``bounds``: completions from j back to the hub with ``left`` more DCs (plain, and with the subset-row
    cuts charged; by stops and load units, and over time: :mod:`~milp_milkrun.routes.label_bounds`); a path that reached j from i
    never turns straight back to i (it is elementary), so the bound avoiding i holds.  One level may hold
    a million labels: the deadline is checked between blocks.
    """
    count = len(level["node"])
    parts = []
    for lo in range(0, count, BLOCK):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        parts.append(_extend_block(level, net, arc_cost, bounds, left, slack, np.arange(lo, min(lo + BLOCK, count))))
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


BLOCK = 4096  # labels extended at once (bounds the memory of the label x DC arrays)


def _extend_block(
    level, net: ClassNetwork, arc_cost, bounds: LabelBounds, left: int, slack: float, rows: np.ndarray
) -> dict[str, np.ndarray]:
    subset_rows = bounds.cuts
    node, seen = level["node"][rows], level["seen"][rows]
    js, window = window_copies(net, np.arange(1, len(arc_cost)))
    load = level["load"][rows, None] + net.load[js][None, :]
    dist = level["dist"][rows, None] + net.distance[node][:, js]
    term = level["term"][rows, None] + net.load_term(js[None, :], dist)
    cost = level["cost"][rows, None] + arc_cost[node][:, js] + (term - level["term"][rows, None])
    parity = level["parity"][rows, None]
    if subset_rows is not None:
        parity, paid = subset_rows.enter(parity, js[None, :])
        cost = cost + paid
    visited = (seen[:, js // WORD] >> (js % WORD).astype(np.uint64)[None, :]) & np.uint64(1)
    clock = (level["time"][rows, None], level["latest"][rows, None], level["drive"][rows, None])
    (start, latest, drive), in_time = next_clocks(net, node[:, None], clock, js[None, :], window)
    ok = net.allowed[node][:, js] & (visited == 0) & (load <= net.capacity) & in_time
    ok &= net.resources.distance.admits(dist, js[None, :])
    units = np.clip(net.capacity - load, 0, None)
    least = bounds.least(left, units, js[None, :], node[:, None], start, parity)
    ok &= cost + duration_floor(net, js[None, :], (start, latest, drive)) + least <= slack
    r, c = np.nonzero(ok)
    j = js[c]
    grown = seen[r].copy()
    grown[np.arange(len(r)), j // WORD] |= np.left_shift(np.uint64(1), (j % WORD).astype(np.uint64))
    return {
        "cost": cost[r, c],
        "term": np.broadcast_to(term, cost.shape)[r, c],
        "load": load[r, c],
        "dist": dist[r, c],
        "node": j,
        "seen": grown,
        "parent": rows[r],
        "parity": np.broadcast_to(parity, cost.shape + parity.shape[2:])[r, c],  # past one word: a row of words
        "time": start[r, c],
        "latest": latest[r, c],
        "drive": drive[r, c],
    }


def _path(trace: list[tuple[np.ndarray, np.ndarray]], depth: int, row: int) -> tuple[int, ...]:
    stops = []
    for nodes, parents in reversed(trace[: depth + 1]):
        stops.append(int(nodes[row]))
        row = int(parents[row])
    return tuple(reversed(stops))
