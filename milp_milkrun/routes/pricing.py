"""Pricing for column generation: the cheapest route of one vehicle class under given duals.

A route's reduced cost is ``c(route) - sum_i pi_i a_i(route) - mu_k`` with the route's value
``c = F_k + c_k * length + b_k * sum_j q_j * (distance driven from the hub to j)``
(:mod:`milp_milkrun.objectives`; b_k > 0 only for emissions).  The caller folds c_k, the DC duals and
the cut duals into ``arc_cost`` and F_k - mu_k into ``start_cost``; the load term depends on the
distance a label has driven, so it is added on each extension, and since it never decreases with that
distance, the dominance rule (no more cost, load, distance, memory) stays valid.  The pricer is a labelling
algorithm over **ng-routes** (Baldacci, Mingozzi and Roberti 2011): a route may revisit a DC only
after leaving that DC's ng-neighbourhood (:mod:`milp_milkrun.routes.networks`), so every elementary
route is an ng-route and the minimum over ng-routes is a lower bound on the minimum over real routes.
Load (5), distance (6) and stop count (7) are carried as resources and checked on every extension;
forbidden DCs (8, 9), consecutive pairs (10) and damaged roads (11) are the class's arc set.

``exact=True`` prices completely: the value returned is min(0, m) with m between the minimum over
ng-routes and the minimum over elementary routes (a label is pruned only when no elementary completion
can make it negative: :mod:`~milp_milkrun.routes.label_bounds`, by stops and load, over time, and with
the subset-row penalties charged), which
:mod:`milp_milkrun.routes.column_generation` turns into a certified Lagrangian bound (where routes are long it
runs :mod:`~milp_milkrun.routes.bidirectional` instead, over this module's level loop).  ``exact=False``
is the fast heuristic used while plenty of negative routes exist: few successors per DC and few labels
per DC and stop count; it prunes with the cheaper walk bound (:func:`completion_bounds`: no
elementarity, no distance).

Time (Eq 15-17, :mod:`milp_milkrun.timing`) is one more resource: a label carries the earliest start
of service at its DC when the route departs at the hub's opening (waiting for a window to open; with
several windows, the earliest whose close is not before the arrival).  A later arrival never admits
a schedule an earlier one does not, so an extension is dropped when no window admits it, a route is
closed only when it is back by the hub's closing, and dominance asks for no later start.  Without
a shift or a cost per hour the departure at the opening is exact; with a shift (Eq 18) or a cost per
hour of route duration a label also carries its latest departure and its driving time, one label per
window of its DC it can reach, from which the shortest duration follows
(:mod:`~milp_milkrun.routes.clocks`).  The duration's cost is added when the route closes at the hub,
and pruning adds the least cost per minute any completion pays (:func:`~milp_milkrun.routes.clocks.duration_floor`).
:func:`~milp_milkrun.routes.networks.class_networks` removes every arc that no window admits even at the
earliest time a route can reach its tail, or that no route within the shift drives
(:func:`~milp_milkrun.routes.time_network.time_admits`).

Subset-row cuts (:mod:`milp_milkrun.routes.subset_rows`) are charged through one more resource, a
parity bit per cut (``subset_rows``), forgotten where a label leaves the cut's memory; dominance then
adds to the dominating label's cost the penalties of the cuts where its parity is odd and the other
label's even.  The exact pricing's completion bounds charge part of them, the heuristic's none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from milp_milkrun.routes.clocks import come_home, duration_floor, first_clocks, next_clocks, window_copies
from milp_milkrun.routes.completions import (
    Completions,
    after_loading,
    completion_bounds,
    two_cycle_free_completions,
    walk_loads,
)
from milp_milkrun.routes.dominance import ALL_COMPARED, dominated_in_ranges
from milp_milkrun.routes.label_bounds import LabelBounds, label_bounds
from milp_milkrun.routes.labels import KeptLabels, Labels, PricingTimeout, first_rows
from milp_milkrun.routes.networks import ClassNetwork
from milp_milkrun.routes.pricing_work import HEURISTIC_WIDTHS, PricingWork, Width
from milp_milkrun.routes.subset_rows import SubsetRowPenalties
from milp_milkrun.routes.time_bounds import time_completions

# a heuristic width tests a label for dominance against this many times its labels kept at its DC
HEURISTIC_DOMINATORS = 4
NEGATIVE = -1e-7  # a reduced cost below this is negative


class TooManyLabels(Exception):
    """A labelling created more labels than its budget (``label_levels``'s ``max_created``)."""


@dataclass(frozen=True)
class PricedRoute:
    reduced_cost: float
    stops: tuple[int, ...]


@dataclass(frozen=True)
class PricingResult:
    routes: list[PricedRoute]  # negative reduced cost, cheapest first
    minimum: float  # exact pricing: min(0, m), m between the least reduced cost over ng-routes and over elementary ones; heuristic: NaN
    labels: int = 0  # labels the labelling created: its work, which the heuristic widths are weighed by (PricingWork)


def price(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    *,
    exact: bool,
    max_routes: int,
    deadline: float = math.inf,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] | None = None,
    work: PricingWork | None = None,
    widths: Sequence[Width] = HEURISTIC_WIDTHS,
    walks: LabelBounds | None = None,
) -> PricingResult:
    """Routes of negative reduced cost; ``arc_cost[i, j] = c_k d_ij - pi_j``, ``start_cost = F_k - mu_k``.

    Labels are extended one stop count (level) at a time, all labels of the level at once with numpy.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs.
    start_cost : float
        The reduced cost of using a vehicle of the class.
    exact : bool
        Search every ng-route (the minimum is then a valid bound), or only the cheapest few
        successors and labels of each DC (heuristic pricing; when the narrowest search finds no
        route, a wider one is tried, see HEURISTIC_WIDTHS, before the caller turns to exact pricing).
    max_routes : int
        At most this many routes are returned.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`PricingTimeout` is raised.
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts with a negative dual: each label carries the parity of its visits to each
        cut's DCs and pays the cut's penalty when it turns even (the reduced cost then includes
        -sigma_S times the cut's coefficient, :meth:`~milp_milkrun.routes.subset_rows.SubsetRowCut.coefficient`).
    compared : tuple[str, ...], optional
        The label resources dominance compares besides cost and memory; None: :func:`compared_resources`
        (the oracle tests give others, e.g. every resource, or a wrong rule they must catch).
    work : PricingWork, optional
        Heuristic: the class's pricing work, which skips the wider widths whose last try created more labels than its
        exact pricing (and records each width's labels); None: every width.
    widths : sequence of (int, int)
        Heuristic: the widths to try, narrowest first (HEURISTIC_WIDTHS: all of them).
    walks : LabelBounds, optional
        Heuristic: :func:`walk_bounds` of these arc costs, when the caller has them already (None: computed here).

    Returns
    -------
    PricingResult
        The routes, cheapest first, and (exact pricing) the least reduced cost.
    """
    if exact:  # the tighter bound pays off where every label is kept; an ng-route may turn back, an elementary one not:
        # the minimum found stays at most that of every elementary route (see two_cycle_free_completions)
        bound = label_bounds(net, arc_cost, subset_rows)
        return _label(net, arc_cost, start_cost, bound, None, max_routes, deadline, subset_rows, compared)
    walks = walk_bounds(net, arc_cost) if walks is None else walks
    found, work = PricingResult([], math.nan), work or PricingWork()
    for width in work.worth_trying(widths):
        found = _label(net, arc_cost, start_cost, walks, width, max_routes, deadline, subset_rows, compared)
        work.widths[width] = found.labels
        if found.routes:
            break
    return found


def walk_bounds(net: ClassNetwork, arc_cost: np.ndarray) -> LabelBounds:
    """The heuristic pricing's completion bounds: over walks by stops and load (they turn back: no DC to avoid)."""
    loads, grain = walk_loads(net)
    walk = completion_bounds(loads, net.with_load_floor(arc_cost))
    return LabelBounds(Completions(walk, np.zeros(walk.shape, dtype=np.int64), walk, grain))


def over_the_clock(walks: LabelBounds, net: ClassNetwork, arc_cost: np.ndarray) -> LabelBounds:
    """``walks`` with the bound over the clock too (:func:`~milp_milkrun.routes.time_bounds.time_completions`, None
    without time): the heuristic's widths past the narrowest, on the same arc costs."""
    return replace(walks, timed=time_completions(net, net.with_load_floor(arc_cost)))


def _label(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    bound: LabelBounds,
    width: tuple[int, int] | None,
    max_routes: int,
    deadline: float,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] | None = None,
) -> PricingResult:
    """One labelling run of :func:`price`; ``width`` (successors, labels per DC and stop count) or None: exact."""
    run = label_levels(net, arc_cost, start_cost, bound, width, deadline, subset_rows, compared)
    order = np.argsort(run.total, kind="stable")[:max_routes]
    routes = [PricedRoute(float(run.total[k]), run.trace.path(int(run.ident[k]))) for k in order]
    minimum = min(0.0, float(run.total.min())) if len(run.total) else 0.0
    return PricingResult(routes, minimum if width is None else math.nan, run.created)


# which labels of a level (labels, their stop count) are extended: the half-way rule of the bidirectional pricing
Extends = Callable[["Labels", "np.ndarray | int"], np.ndarray]


@dataclass
class Labelling:
    """What one labelling run leaves: the labels kept at each node (cheapest first), the trace, the trace id
    of the first label of each stop count (``level_starts``), and the negative routes it closed at the hub."""

    kept: KeptLabels
    trace: _Trace
    level_starts: list[int]
    total: np.ndarray  # reduced costs of the closed routes
    ident: np.ndarray  # ... and the trace ids of their last labels
    created: int  # labels created (the first DCs and every extension), before dominance: the labelling's work

    def stops(self, ident: np.ndarray) -> np.ndarray:
        """The stop count of each label of trace id ``ident`` (labels are admitted one stop count at a time)."""
        return np.searchsorted(self.level_starts, ident, side="right")


def label_levels(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    bound: LabelBounds,
    width: tuple[int, int] | None,
    deadline: float,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] | None = None,
    extends: Extends | None = None,
    keeps_beyond: bool = True,
    max_created: float = math.inf,
) -> Labelling:
    """The labelling's level loop: labels admitted (dominance), closed at the hub and extended one stop count
    at a time; ``extends``: only the labels it selects are extended (None: all), the others stay kept, or
    with ``keeps_beyond`` False are dropped as they are created.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs.
    start_cost : float
        The reduced cost of using a vehicle of the class.
    bound : LabelBounds
        The completion bounds that prune.
    width : tuple[int, int] or None
        Heuristic: (successors, labels per DC and stop count); None: exact.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`PricingTimeout` is raised.
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts charged.
    compared : tuple[str, ...], optional
        The resources dominance compares (None: :func:`compared_resources`).
    extends : Extends, optional
        The half-way rule of :mod:`~milp_milkrun.routes.bidirectional`.
    keeps_beyond : bool
        Whether the labels ``extends`` rejects are kept (admitted, closed at the hub) or dropped.
    max_created : float
        Past this many labels created, :class:`TooManyLabels` is raised.

    Returns
    -------
    Labelling
        The kept labels, the trace and the routes closed.
    """
    successors = _successors(net, arc_cost, width)
    steps = _Steps.of_successors(net, successors)
    trace = _Trace()
    kept = KeptLabels.none(len(arc_cost))
    first, window = window_copies(net, successors[0])
    (start, latest, drive), ok = first_clocks(net, first, window)
    first, start, latest, drive = first[ok], start[ok], latest[ok], drive[ok]
    level = Labels(
        cost=start_cost + arc_cost[0, first] + net.load_term(first, net.distance[0, first]),
        load=net.load[first].astype(np.int64),
        dist=net.distance[0, first].astype(float),
        memory=np.left_shift(1, net.ng_position[first, first]).astype(np.int64),
        node=first,
        ident=np.full(len(first), -1),  # parents: the hub
        parity=subset_rows.cuts_of[first] if subset_rows is not None else np.zeros(len(first), dtype=np.int64),
        time=start,
        latest=latest,
        drive=drive,
    )
    totals, finished, level_starts, created = [], [], [], len(level.cost)
    compared = compared_resources(net) if compared is None else compared
    for stops in range(1, net.max_stops + 1):
        if extends is not None and not keeps_beyond:
            level = level.take(np.flatnonzero(extends(level, stops)))
        level_starts.append(len(trace.node))
        level, kept = _admit(level, kept, trace, width, deadline, subset_rows, compared)
        total, closing = _close(level, net, arc_cost)
        totals.append(total)
        finished.append(closing)
        if extends is not None:
            level = level.take(np.flatnonzero(extends(level, stops)))
        if stops == net.max_stops or not len(level.cost):
            break
        left = net.max_stops - stops - 1  # the stops left after the next DC
        level = _extend(level, steps, arc_cost, net, (bound, left), deadline, subset_rows)
        created += len(level.cost)
        if created > max_created:
            raise TooManyLabels
    return Labelling(kept, trace, level_starts, np.concatenate(totals), np.concatenate(finished), created)


class _Trace:
    """Node and parent of every admitted label, to read routes back."""

    def __init__(self) -> None:
        self.node: list[int] = []
        self.parent: list[int] = []

    def add(self, nodes: np.ndarray, parents: np.ndarray) -> np.ndarray:
        first = len(self.node)
        self.node.extend(nodes.tolist())
        self.parent.extend(parents.tolist())
        return np.arange(first, len(self.node))

    def path(self, ident: int) -> tuple[int, ...]:
        nodes = []
        while ident >= 0:
            nodes.append(self.node[ident])
            ident = self.parent[ident]
        return tuple(reversed(nodes))


def heuristic_widths(dcs: int, *, timed: bool = False) -> tuple[Width, ...]:
    """:data:`HEURISTIC_WIDTHS` less each that would search as the one before it on ``dcs`` DCs: no more labels, and
    no more successors than the one before already reaches (a DC has ``dcs - 1``; the hub takes every DC anyway).
    With time (``timed``) not the widest: Solomon's R104 with 100 customers was not proven in 600 s with it, in 550 s
    without."""
    widths = HEURISTIC_WIDTHS[:-1] if timed else HEURISTIC_WIDTHS
    kept = [widths[0]]
    for width in widths[1:]:
        last = kept[-1]
        if width[1] > last[1] or min(width[0], dcs - 1) > min(last[0], dcs - 1):
            kept.append(width)
    return tuple(kept)


def _successors(net: ClassNetwork, arc_cost: np.ndarray, width: tuple[int, int] | None) -> list[np.ndarray]:
    """Each node's DC successors, cheapest first (heuristic pricing: only the cheapest few)."""
    out = []
    for i in range(len(arc_cost)):
        js = np.flatnonzero(net.allowed[i, 1:]) + 1
        js = js[np.argsort(arc_cost[i, js], kind="stable")]
        out.append(js if width is None or i == 0 else js[: width[0]])
    return out


def _close(level: Labels, net: ClassNetwork, arc_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reduced costs and trace ids of the routes that return to the hub from a label, if negative."""
    distance = net.resources.distance
    home = net.allowed[level.node, 0] & distance.within(distance.close(level.dist, level.node))
    in_time, hourly = come_home(net, level.node, (level.time, level.latest, level.drive))
    home &= in_time
    total = level.cost + arc_cost[level.node, 0] + hourly
    negative = home & (total < NEGATIVE)
    return total[negative], level.ident[negative]


def _extend(
    level: Labels,
    steps: _Steps,
    arc_cost,
    net: ClassNetwork,
    bound: tuple[LabelBounds, int],
    deadline: float,
    subset_rows: SubsetRowPenalties | None = None,
) -> Labels:
    """Every feasible one-DC extension of ``level`` (admitted: by DC, cheapest first) that can still turn negative,
    label by label in that order and each label's successors in theirs.

    ``bound``: the least reduced costs from j back to the hub (:mod:`~milp_milkrun.routes.label_bounds`) and
    the stops left after j; an ng-route may turn straight back, so the bound ignores where a label came from.
    Entering j pays the subset-row cuts through j at odd parity and flips them (:meth:`SubsetRowPenalties.enter`).
    The labels of all DCs extend at once, a block of pairs (label, successor) at a time: one numpy pass per DC
    and level cost more than the extensions themselves where labels are few (R208's heuristic pricing).
    """
    parts = []
    for rows in _blocks(steps.count[level.node]):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        here = level.take(rows)
        r, succ, window = steps.of(here.node)
        i = here.node[r]
        load = here.load[r] + net.load[succ]
        dist = here.dist[r] + net.distance[i, succ]
        cost = here.cost[r] + arc_cost[i, succ] + net.load_term(succ, dist)
        parity = here.parity[r]
        if subset_rows is not None:
            parity, paid = subset_rows.enter(parity, succ)
            cost = cost + paid
        clock = (here.time[r], here.latest[r], here.drive[r])
        (start, latest, drive), ok = next_clocks(net, i, clock, succ, window)
        ok &= (load <= net.capacity) & net.resources.distance.admits(dist, succ)
        cost_floor = cost + duration_floor(net, succ, (start, latest, drive))
        ok &= (
            cost_floor + bound[0].least(bound[1], np.clip(net.capacity - load, 0, None), succ, None, start, parity)
            < NEGATIVE
        )
        seen = net.ng_position[i, succ]  # where j sits in i's neighbourhood, -1 if outside (then never remembered)
        ok &= ~((seen >= 0) & ((here.memory[r] >> np.maximum(seen, 0)) & 1).astype(bool))
        c = np.flatnonzero(ok)
        j = succ[c]
        memory = net.memory_moves.after(i[c], j, here.memory[r[c]])
        parts.append(
            Labels(cost[c], load[c], dist[c], memory, j, here.ident[r[c]], parity[c], start[c], latest[c], drive[c])
        )
    return Labels.concat(parts) if parts else level.take(slice(0, 0))


PAIR_BLOCK = 250_000  # (label, successor) pairs extended at once: bounds the memory of a wide level


def _blocks(pairs: np.ndarray) -> list[slice]:
    """Consecutive blocks of labels of at most PAIR_BLOCK ``pairs`` each (a label of more pairs alone)."""
    ends = np.cumsum(pairs)
    blocks, lo = [], 0
    while lo < len(pairs):
        hi = max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + PAIR_BLOCK, side="right")))
        blocks.append(slice(lo, hi))
        lo = hi
    return blocks


@dataclass(frozen=True)
class _Steps:
    """Each node's successors as the labelling extends to them (:func:`window_copies`), flat: node i's are
    ``succ[first[i] : first[i] + count[i]]``, with their windows (None: the earliest that admits)."""

    succ: np.ndarray
    window: np.ndarray | None
    first: np.ndarray
    count: np.ndarray

    @staticmethod
    def of_successors(net: ClassNetwork, successors: list[np.ndarray]) -> _Steps:
        copies = [window_copies(net, s) for s in successors]
        count = np.array([len(nodes) for nodes, _ in copies], dtype=np.int64)
        windows = [window for _, window in copies if window is not None]  # all or none: window_copies
        window = np.concatenate(windows) if windows else None
        return _Steps(np.concatenate([nodes for nodes, _ in copies]), window, np.cumsum(count) - count, count)

    def of(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The pairs of labels at ``nodes`` and their successors, label by label: (label row, successor, window)."""
        count = self.count[nodes]
        r = np.repeat(np.arange(len(nodes)), count)
        position = np.arange(len(r)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(self.first[nodes], count)
        return r, self.succ[position], None if self.window is None else self.window[position]


def _admit(
    level: Labels,
    kept: KeptLabels,
    trace: _Trace,
    width: tuple[int, int] | None,
    deadline: float,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] = ALL_COMPARED,
) -> tuple[Labels, KeptLabels]:
    """Drop the labels of ``level`` dominated by a kept label or by a cheaper one of the same level; the rest, by DC
    and cheapest first, and the kept labels with them.

    Label a dominates b at the same DC when a costs, loads, drives and remembers no more than b, starts
    service no later (time), with a shift departs as late and drives no longer, and has no more stops (it is kept from
    an earlier level, or is of the same level); with subset-row cuts, a's
    cost counts the penalties of the cuts where a's parity is odd and b's even (a may pay each of them
    once more than b on any completion, never more): :mod:`~milp_milkrun.routes.dominance`.  The ng memory at
    DC j is a subset of j's neighbourhood, so it is a small bitmask local to j.  A heuristic width keeps the
    cheapest few labels of each DC and tests them against its cheapest kept ones only.
    """
    fresh = level.take(np.lexsort((level.cost, level.node)))
    group = first_rows(fresh.node)  # each label's first row of its DC
    if width is not None:
        fresh = fresh.take(np.flatnonzero(np.arange(len(fresh.cost)) - group < width[1]))
        group = first_rows(fresh.node)
    lo, hi = kept.first[fresh.node], kept.first[fresh.node + 1]
    if width is not None:
        hi = np.minimum(hi, lo + HEURISTIC_DOMINATORS * width[1])
    beaten = dominated_in_ranges(fresh, kept.labels, (lo, hi), group, subset_rows, compared, deadline)
    fresh = fresh.take(np.flatnonzero(~beaten))
    fresh.ident = trace.add(fresh.node, fresh.ident)
    return fresh, kept.merged(fresh)


def compared_resources(net: ClassNetwork) -> tuple[str, ...]:
    """The label resources dominance must compare for ``net``: those that can tell two labels apart.

    The load matters only when a route of the most stops can outgrow the capacity (an ng-route repeats DCs:
    the largest load at each), the distance under a distance limit or a load term (else it is in the cost),
    the clock with time, the latest departure and driving time when the duration matters (else zeros,
    :mod:`~milp_milkrun.routes.clocks`).  Leaving out a resource that cannot tell labels apart keeps the
    dominance exact and saves its share of the pairwise test (RC208: the pricing's largest cost).
    """
    times = net.time
    used = {
        "load": net.max_stops * int(net.load.max(initial=0)) > net.capacity,
        "dist": math.isfinite(net.resources.distance.limit) or bool(net.load_rate),
        "time": times is not None,
        "latest": times is not None and times.tracks_duration,
        "drive": times is not None and times.tracks_duration,
    }
    return tuple(name for name in ALL_COMPARED if used[name])


def arc_lower_bounds(net: ClassNetwork, arc_cost: np.ndarray, deadline: float = math.inf) -> np.ndarray:
    """through[i, j]: a lower bound on the arc costs of every route of the class that drives DC i -> DC j
    (the start cost excluded); inf for hub arcs and arcs the class lacks.

    Walks from the hub to i with h DCs and at most u load units (no elementarity, no distance), the arc,
    and the completion bound from j with the stops and load units left that does not turn straight back
    to i: a relaxation of every (elementary) route.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    arc_cost : np.ndarray
        Reduced arc costs.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`PricingTimeout` is raised (checked once per stop count).

    Returns
    -------
    np.ndarray
        The bound for every arc, indexed [i, j].
    """
    n = len(arc_cost)
    stops, capacity = net.max_stops, net.capacity
    through = np.full((n, n), np.inf)
    if stops < 2:
        return through
    arc_cost = net.with_load_floor(arc_cost)
    back = two_cycle_free_completions(net, arc_cost)  # from j (loaded) to the hub, h more DCs, c units left
    step = np.where(net.allowed, arc_cost, np.inf)
    step[:, 0] = np.inf
    step[0, :] = np.inf
    units = np.arange(capacity + 1)
    rest, fits = after_loading(net)
    columns = np.arange(n)
    ahead = np.where(fits & net.allowed[0][None, :], arc_cost[0][None, :], np.inf)  # ahead[u, i]: hub -> i, one DC
    ahead[:, 0] = np.inf
    left = capacity - units[:, None] - net.load[None, :]  # left[u, j]: units left after j when i's walk used u
    units_left, j_fits = np.clip(left, 0, None)[:, None, :], (left >= 0)[:, None, :]
    for h in range(1, stops):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        # min over u of ahead[u, i] + (from j, not straight back to i)[u, j], one block of i at a time to bound the memory
        for lo in range(0, n, ARC_BLOCK):
            rows = np.arange(lo, min(lo + ARC_BLOCK, n))
            after = back.avoiding(stops - 1 - h, units_left, columns[None, None, :], rows[None, :, None])  # (u, i, j)
            after = np.where(j_fits, after, np.inf)
            pair = (ahead[:, lo : lo + ARC_BLOCK, None] + after).min(axis=0)
            through[lo : lo + ARC_BLOCK] = np.minimum(through[lo : lo + ARC_BLOCK], pair + step[lo : lo + ARC_BLOCK])
        reach = (ahead[:, :, None] + step[None, :, :]).min(axis=1)  # reach[u, j]: walk to j before loading j
        ahead = np.where(fits, reach[rest, columns[None, :]], np.inf)
        if not np.isfinite(ahead).any():  # no walk of more DCs fits the capacity
            break
    return through


ARC_BLOCK = 16  # DC rows per block of the (load, i, j) sums in arc_lower_bounds
