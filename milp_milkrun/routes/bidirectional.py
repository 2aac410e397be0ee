"""Bidirectional labelling for the exact pricing (Righini and Salani 2006; Pecin, Pessoa, Poggi and Uchoa
2017; Pessoa et al. 2020): where routes carry many DCs, the monodirectional labelling of
:mod:`~milp_milkrun.routes.pricing` grows labels over every stop count of the longest routes; here labels
grow from both ends of a route to its middle only, and routes are joined there.

**Backward labels** are the forward labelling run on the *reversed* network (:func:`reversed_network`):
arcs transposed (allowed arcs, distances, reduced arc costs), the same ng-neighbourhoods and subset-row
cuts.  A backward label at j with path hub -> v_m -> ... -> j on the reversed network is the suffix
j -> ... -> v_m -> hub of a route: its cost holds the start cost, the arc costs of that suffix and the
penalties of its subset-row pairs.  Both directions may do so because everything they charge is symmetric:
the reduced cost of a route is a sum over its arcs; a route is an ng-route exactly when its reverse is (a
DC v may be visited again after some DC strictly between the two visits has v outside its
neighbourhood, a condition on the DCs between, not on the direction); and a subset-row cut's coefficient
counts the visits to S in pairs within each stretch of the route inside the cut's memory,
floor(visits / 2) per stretch, whichever way the stretch is driven.

**The half-way rule** (:func:`meeting`): a main resource r grows along every route: with time the clock,
else every DC's load (when load binds routes before the stop limit does) or one a stop (otherwise).  Each
direction extends only its labels with r at most half the limit R; a backward label created beyond the half
is kept (for dominance, to close a route at the hub and to be joined) but not extended, a forward one is
dropped (the proof below joins forward labels within the half only).  With time,
the backward labels run on mirrored time (:func:`mirrored_time`: u = T - t - s, T the hub's closing), the
forward labels are extended while service starts by the middle H of the hub's hours, the backward ones while
the latest start they allow at their DC is not before H.

**The join**: a forward label f at i (r within the half) and a backward label b at j over an allowed arc
i -> j make the route f, j.., b: it is feasible when the loads, stops and distances add up within the
limits (with time: service at j can start by the latest start b allows, ``t_f + leave[i, j] <= T - s_j - u_b``;
an earlier start never loses a completion), and its reduced cost is ``cost_f + arc_cost[i, j] + cost_b - start_cost`` (both labels hold the
start cost) plus, for every subset-row cut where both parities are odd, the cut's penalty once more: the
stretch inside the cut's memory that ends at i and the one that starts at j are one stretch of the route,
whose odd counts a and b make floor((a + b) / 2) = floor(a / 2) + floor(b / 2) + 1 pairs (when i or j is
outside the memory its label's parity is 0, :meth:`~milp_milkrun.routes.subset_rows.SubsetRowPenalties.enter`,
and the stretches are separate).  The ng condition: f's memory (the DCs visited before it that every DC
since has in its neighbourhood) must not hold j, and f's memory moved to j must share nothing but j with
b's memory; then no DC is visited twice while remembered, so the joined route is an ng-route, and every
elementary route passes (its prefix and suffix share no DC).

**Every elementary route is found.**  Take an elementary route v_1 .. v_m of negative reduced cost and k
the largest index with r(v_1 .. v_k) <= R/2.  If k = m, the forward labelling closes it (every prefix is
within the half, so extended); if k = 0, r(v_2 .. v_m) = r(route) - r(v_1) < R - R/2 and the backward
labelling extends every backward prefix of v_2 .. v_m, so it creates a label at v_1 and closes it.
Otherwise the forward prefix v_1 .. v_k is within the half, and r(v_{k+2} .. v_m) = r(route) -
r(v_1 .. v_{k+1}) < R/2, so every backward prefix of v_{k+2} .. v_m is extended and the backward label
v_{k+1} .. v_m is created: the join over v_k -> v_{k+1} finds the route.  With time, k is the last stop
whose earliest start t_k is by H: the latest start each later stop allows is at least its earliest start,
after H, so the backward labels of v_{k+2} .. v_m (and for k = 0 of v_2 .. v_m) are extended.  Dominance and the completion
bounds change nothing: as in the monodirectional labelling, each of these labels is kept or dominated by a
kept one with no more cost (after the penalties of the parities it has and the other lacks), no more of any
resource (so within the half too, and extended) and a memory it contains; the join of dominating labels is
feasible, passes the ng condition and costs no more (its extra crossing penalties are among the ones
dominance charged).  So the minimum stays at most the least reduced cost over elementary routes, and
every route returned is an ng-route at its true reduced cost: the Lagrangian bound of
:mod:`~milp_milkrun.routes.column_generation` holds as it does with the monodirectional pricing.

**Where it is used** (:func:`runs_bidirectionally`): only the exact pricing (the heuristic's few labels per
DC and stop count stay monodirectional), on networks whose costs reverse: not with a load term (the
emissions objective charges each DC's load by the distance driven from the hub, which a backward label
does not know), nor with a shift or a cost per hour (a label's duration follows from its departure from
the hub, :mod:`~milp_milkrun.routes.clocks`, which a backward label does not know); and by default where
routes are long (:data:`LONG_ROUTE`, :func:`route_length`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from milp_milkrun.limits import allowance
from milp_milkrun.route_resources import AdditiveResource
from milp_milkrun.routes.label_bounds import label_bounds, reversed_label_bounds
from milp_milkrun.routes.labels import Labels
from milp_milkrun.routes.networks import ClassNetwork, with_changes
from milp_milkrun.routes.pricing import (
    NEGATIVE,
    Extends,
    Labelling,
    PricedRoute,
    PricingResult,
    PricingTimeout,
    label_levels,
)
from milp_milkrun.routes.subset_rows import SubsetRowPenalties
from milp_milkrun.routes.time_network import TimeNetwork
from milp_milkrun.timing import shortest_trips

LONG_ROUTE = 12  # by default, bidirectional where a route may carry this many DCs (by load and the stop limit) or more
JOIN_CHUNK = 1 << 20  # label pairs tested at once in the join (bounds its memory)

# (forward parities, backward parities) -> the cuts a joined route pays once more
Crossing = Callable[[np.ndarray, np.ndarray], np.ndarray]


def runs_bidirectionally(net: ClassNetwork, setting: bool | None) -> bool:
    """Whether the exact pricing of ``net`` runs bidirectionally: never where costs do not reverse (a load
    term, a shift or a cost per hour); else as ``setting`` says, and for None where routes are long
    (:func:`route_length`).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.
    setting : bool or None
        ``RouteSettings.bidirectional``.

    Returns
    -------
    bool
        True: price with :func:`price_bidirectionally`.
    """
    if not reverses(net):
        return False
    return setting if setting is not None else route_length(net) >= LONG_ROUTE


def reverses(net: ClassNetwork) -> bool:
    """Whether the costs of ``net`` reverse: no load term, no shift, no cost per hour (module doc).

    Parameters
    ----------
    net : ClassNetwork
        The class's network.

    Returns
    -------
    bool
        True when :func:`price_bidirectionally` may price it.
    """
    return not net.load_rate and not (net.time is not None and net.time.tracks_duration)


def route_length(net: ClassNetwork) -> float:
    """The DCs a route of the class may carry: its stop limit, or fewer when the capacity over the mean DC's
    load is less, or (with time) the hub's hours over the mean least leave time from a DC to another."""
    loads = net.load[1:]
    mean = float(loads.mean()) if len(loads) else 0.0
    length = min(float(net.max_stops), net.capacity / mean) if mean > 0 else float(net.max_stops)
    times = net.time
    if times is not None and len(loads) > 1:
        step = np.where(net.allowed[1:, 1:], times.leave[1:, 1:], np.inf).min(axis=1)
        step = step[np.isfinite(step)]
        if len(step) and step.mean() > 0:
            length = min(length, (float(times.closes[0, 0]) - times.hub_open) / float(step.mean()))
    return length


@dataclass(frozen=True)
class Meeting:
    """The half-way rule: which forward and which backward labels (labels, their stop counts) are extended;
    the forward labels it extends are the ones joined."""

    forward: Extends
    backward: Extends


def meeting(net: ClassNetwork) -> Meeting:
    """The half-way rule of ``net``: with time on the clock, else on load where it binds routes before the stop
    limit does, else on stops.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.

    Returns
    -------
    Meeting
        :func:`by_time`, :func:`by_load` or :func:`by_stops`.
    """
    if net.time is not None:
        return by_time(net)
    loads_bind = net.max_stops * int(net.load.max(initial=0)) > net.capacity
    return by_load(net) if loads_bind and route_length(net) < net.max_stops else by_stops(net)


def by_load(net: ClassNetwork) -> Meeting:
    """Labels are extended while their load is at most half the capacity, both ways.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.

    Returns
    -------
    Meeting
        The rule.
    """

    def within(labels: Labels, stops: np.ndarray | int) -> np.ndarray:
        return 2 * labels.load <= net.capacity

    return Meeting(within, within)


def by_stops(net: ClassNetwork) -> Meeting:
    """Labels are extended while their stops are at most half the stop limit, both ways.

    Parameters
    ----------
    net : ClassNetwork
        The class's network.

    Returns
    -------
    Meeting
        The rule.
    """

    def within(labels: Labels, stops: np.ndarray | int) -> np.ndarray:
        return np.broadcast_to(2 * np.asarray(stops) <= net.max_stops, labels.cost.shape)

    return Meeting(within, within)


def by_time(net: ClassNetwork) -> Meeting:
    """Forward labels are extended while service starts by the middle H of the hub's hours, backward ones
    while the latest start they allow is not before H (mirrored: their start plus the service, up to the
    closing less H; :func:`mirrored_time`).

    Parameters
    ----------
    net : ClassNetwork
        The class's network, with time.

    Returns
    -------
    Meeting
        The rule.
    """
    times = net.time
    assert times is not None
    close = float(times.closes[0, 0])
    middle = (times.hub_open + close) / 2

    def forward(labels: Labels, stops: np.ndarray | int) -> np.ndarray:
        return labels.time <= middle

    def backward(labels: Labels, stops: np.ndarray | int) -> np.ndarray:
        return labels.time + times.service[labels.node] <= close - middle

    return Meeting(forward, backward)


def mirrored_time(times: TimeNetwork) -> TimeNetwork:
    """Time on the reversed network: with T the hub's closing, a start of service t_i becomes
    u_i = T - t_i - s_i (the time left after the service), so each window [a, b] of i becomes
    [T - b - s_i, T - a - s_i] (several windows: in reverse order, earliest first again), the leave time of
    the reversed arc j -> i is s_j + travel[i, j], and the shortest way back to the hub is the original's
    from it.  A route keeps time in the original exactly when its reverse does in the mirror.

    Parameters
    ----------
    times : TimeNetwork
        The original's time, without a shift or a cost per hour.

    Returns
    -------
    TimeNetwork
        The mirrored time.
    """
    close, service = float(times.closes[0, 0]), times.service
    travel = times.leave - service[:, None]
    opens, closes = np.full_like(times.opens, np.inf), np.full_like(times.closes, -np.inf)
    for j, count in enumerate(times.count):
        opens[j, :count] = (close - times.closes[j, :count] - service[j])[::-1]
        closes[j, :count] = (close - times.opens[j, :count] - service[j])[::-1]
    there = shortest_trips(travel)[0]
    return TimeNetwork(
        travel.T + service[:, None], opens, closes, times.count, service + there, service, times.shift, times.per_minute
    )


def reversed_network(net: ClassNetwork) -> ClassNetwork:
    """``net`` driven backwards: arcs transposed, the distance limit's completion bound the shortest way from
    the hub (none known: 0), time mirrored (:func:`mirrored_time`), the same ng-neighbourhoods (their tables
    carried over).

    Parameters
    ----------
    net : ClassNetwork
        A network whose costs reverse (:func:`runs_bidirectionally`).

    Returns
    -------
    ClassNetwork
        The reversed network.
    """
    distance = net.resources.distance
    from_hub = net.reach_distance if net.reach_distance is not None else np.zeros(len(net.load))
    backward = AdditiveResource("distance", distance.limit, arc_use=net.distance.T, to_hub=from_hub)
    return with_changes(
        net,
        distance=net.distance.T,
        allowed=net.allowed.T,
        resources=dataclasses.replace(net.resources, distance=backward),
        reach_distance=distance.to_hub,
        time=mirrored_time(net.time) if net.time is not None else None,
    )


def price_bidirectionally(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    *,
    max_routes: int,
    deadline: float = math.inf,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] | None = None,
    rule: Meeting | None = None,
    crossing: Crossing | None = None,
) -> PricingResult:
    """The exact pricing of :func:`~milp_milkrun.routes.pricing.price` by bidirectional labelling (module doc).

    Parameters
    ----------
    net : ClassNetwork
        The class's network (one whose costs reverse: :func:`runs_bidirectionally`).
    arc_cost : np.ndarray
        Reduced arc costs.
    start_cost : float
        The reduced cost of using a vehicle of the class.
    max_routes : int
        At most this many routes are returned.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`PricingTimeout` is raised.
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts with a negative dual.
    compared : tuple[str, ...], optional
        The resources dominance compares (None: :func:`~milp_milkrun.routes.pricing.compared_resources`).
    rule : Meeting, optional
        The half-way rule; None: :func:`meeting` (the oracle tests give a wrong one they must catch).
    crossing : Crossing, optional
        The cuts a joined route pays once more, from the two labels' states; None:
        :meth:`~milp_milkrun.routes.subset_rows.SubsetRowPenalties.crossing` (the tests give a wrong one).

    Returns
    -------
    PricingResult
        The routes, cheapest first, and min(0, m) with m at most the least reduced cost over elementary routes.

    Raises
    ------
    ValueError
        For a network whose costs do not reverse (:func:`runs_bidirectionally`).
    """
    if not reverses(net):
        raise ValueError("bidirectional pricing needs costs that reverse: no load term, no shift, no cost per hour")
    rule = meeting(net) if rule is None else rule
    back_net, back_cost = reversed_network(net), np.ascontiguousarray(arc_cost.T)
    bounds = label_bounds(net, arc_cost, subset_rows)
    forward = label_levels(
        net,
        arc_cost,
        start_cost,
        bounds,
        None,
        deadline,
        subset_rows,
        compared,
        rule.forward,
        keeps_beyond=False,  # a forward label beyond the half is never joined (module doc)
    )
    backward = label_levels(
        back_net,
        back_cost,
        start_cost,
        reversed_label_bounds(net, back_net, arc_cost, bounds, subset_rows),
        None,
        deadline,
        subset_rows,
        compared,
        rule.backward,
    )
    found = _Found(max_routes)
    found.add(forward.total, forward.ident, np.full(len(forward.ident), -1))
    found.add(backward.total, np.full(len(backward.ident), -1), backward.ident)
    _join(net, arc_cost - start_cost, (forward, backward), rule, crossing, subset_rows, deadline, found)
    return found.result(forward, backward)


class _Found:
    """The routes found so far, as (reduced cost, forward trace id, backward trace id; -1: none), and the
    threshold a pair must beat: once ``keep`` are found, the dearest of the ``keep`` cheapest."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.cost: list[np.ndarray] = []
        self.forward: list[np.ndarray] = []
        self.backward: list[np.ndarray] = []
        self.top = np.zeros(0)

    @property
    def threshold(self) -> float:
        return float(self.top[-1]) if self.keep and len(self.top) >= self.keep else NEGATIVE

    def add(self, cost: np.ndarray, forward: np.ndarray, backward: np.ndarray) -> None:
        self.cost.append(cost)
        self.forward.append(forward)
        self.backward.append(backward)
        self.top = np.sort(np.concatenate([self.top, cost]))[: self.keep]

    def result(self, forward: Labelling, backward: Labelling) -> PricingResult:
        """The distinct routes, cheapest first (a route may be found at several splits), and the minimum."""
        cost = np.concatenate(self.cost)
        fw, bw = np.concatenate(self.forward), np.concatenate(self.backward)
        routes: dict[tuple[int, ...], PricedRoute] = {}
        for k in np.argsort(cost, kind="stable"):
            if len(routes) >= self.keep:
                break
            head = forward.trace.path(int(fw[k])) if fw[k] >= 0 else ()
            tail = backward.trace.path(int(bw[k]))[::-1] if bw[k] >= 0 else ()
            routes.setdefault(head + tail, PricedRoute(float(cost[k]), head + tail))
        minimum = min(0.0, float(cost.min())) if len(cost) else 0.0
        return PricingResult(list(routes.values()), minimum, forward.created + backward.created)


@dataclass
class _Side:
    """The labels of one direction at one node that the join may use, cheapest first, with their stop counts."""

    labels: Labels
    stops: np.ndarray


def _join(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    runs: tuple[Labelling, Labelling],
    rule: Meeting,
    crossing: Crossing | None,
    subset_rows: SubsetRowPenalties | None,
    deadline: float,
    found: _Found,
) -> None:
    """Every feasible join of a forward label within the half and a backward label over an arc between DCs
    that beats ``found``'s threshold, into ``found``; ``arc_cost`` less the start cost (both labels hold it).

    Arcs go cheapest first by the least sum of their labels' costs, so that the threshold falls early; for each,
    the forward labels are taken in cost order and matched with the backward labels cheap enough to beat it
    (a sorted search), and only those pairs are tested, in chunks."""
    forward, backward = runs
    n = len(arc_cost)
    heads: list[_Side | None] = [None] * n
    tails: list[_Side | None] = [None] * n
    for v in range(1, n):
        here = forward.kept.at(v)
        if here is not None:
            stops = forward.stops(here.ident)
            within = np.flatnonzero(rule.forward(here, stops))
            if len(within):
                heads[v] = _Side(here.take(within), stops[within])
        there = backward.kept.at(v)
        if there is not None and len(there.cost):
            tails[v] = _Side(there, backward.stops(there.ident))
    least_head = np.array([s.labels.cost[0] if s else np.inf for s in heads])
    least_tail = np.array([s.labels.cost[0] if s else np.inf for s in tails])
    lower = np.where(net.allowed, least_head[:, None] + arc_cost + least_tail[None, :], np.inf)
    np.fill_diagonal(lower, np.inf)
    arcs = np.argwhere(lower < found.threshold)
    arcs = arcs[np.argsort(lower[arcs[:, 0], arcs[:, 1]], kind="stable")]
    for i, j in arcs:
        if lower[i, j] >= found.threshold:
            break
        if time.perf_counter() > deadline:
            raise PricingTimeout
        head, tail = heads[i], tails[j]
        assert head is not None and tail is not None  # both have labels: the lower bound is finite
        _join_arc(net, arc_cost, int(i), int(j), (head, tail), crossing, subset_rows, found, deadline)


def _join_arc(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    i: int,
    j: int,
    sides: tuple[_Side, _Side],
    crossing: Crossing | None,
    subset_rows: SubsetRowPenalties | None,
    found: _Found,
    deadline: float,
) -> None:
    """The joins over arc i -> j (:func:`_join`): the labels of either side that no label of the other could
    meet in load or time are left out first, then the pairs cheap enough are tested in chunks."""
    head, tail = sides
    f, b = head.labels, tail.labels
    seen = net.ng_position[i, j]
    rows, usable = np.arange(len(f.cost)), np.arange(len(b.cost))
    if seen >= 0:  # j must not be in the forward label's memory
        rows = rows[((f.memory >> seen) & 1) == 0]
    for name, limit in (("load", net.capacity), ("time", _latest_start(net, i, j))):
        if not len(rows) or not len(usable):
            return
        usable = usable[getattr(b, name)[usable] <= limit - getattr(f, name)[rows].min()]
        if len(usable):
            rows = rows[getattr(f, name)[rows] <= limit - getattr(b, name)[usable].min()]
    counts = np.searchsorted(b.cost[usable], found.threshold - arc_cost[i, j] - f.cost[rows], side="left")
    rows, counts = rows[counts > 0], counts[counts > 0]
    ends = np.cumsum(counts)
    lo = 0
    while lo < len(rows):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        hi = max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + JOIN_CHUNK, side="right")))
        part, many = rows[lo:hi], counts[lo:hi]
        rf = np.repeat(part, many)
        rb = usable[np.arange(len(rf)) - np.repeat(np.cumsum(many) - many, many)]
        _test_pairs(net, arc_cost, i, j, (head, tail), (rf, rb), crossing, subset_rows, found)
        lo = hi


def _latest_start(net: ClassNetwork, i: int, j: int) -> float:
    """The most ``t_f + u_b`` may be for a join over i -> j: service at j starts by the latest start the
    backward label allows, ``t_f + leave[i, j] <= T - s_j - u_b`` (:func:`mirrored_time`); inf without time
    (both clocks are 0)."""
    times = net.time
    if times is None:
        return math.inf
    return allowance(float(times.closes[0, 0])) - float(times.leave[i, j]) - float(times.service[j])


def _test_pairs(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    i: int,
    j: int,
    sides: tuple[_Side, _Side],
    pairs: tuple[np.ndarray, np.ndarray],
    crossing: Crossing | None,
    subset_rows: SubsetRowPenalties | None,
    found: _Found,
) -> None:
    """Add to ``found`` the pairs (forward row, backward row) over i -> j that are feasible and beat its threshold."""
    (head, tail), (rf, rb) = sides, pairs
    f, b = head.labels, tail.labels
    ok = f.load[rf] + b.load[rb] <= net.capacity
    ok &= head.stops[rf] + tail.stops[rb] <= net.max_stops
    distance = net.resources.distance
    if math.isfinite(distance.limit):
        ok &= distance.within(f.dist[rf] + net.distance[i, j] + b.dist[rb])
    if net.time is not None:
        ok &= f.time[rf] + b.time[rb] <= _latest_start(net, i, j)
    own = 1 << int(net.ng_position[j, j])
    ok &= (net.memory_moves.after(i, j, f.memory[rf]) & b.memory[rb]) == own
    rf, rb = rf[ok], rb[ok]
    cost = f.cost[rf] + arc_cost[i, j] + b.cost[rb]
    if subset_rows is not None:
        joined = subset_rows.crossing if crossing is None else crossing
        cost = cost + subset_rows.paid(joined(f.parity[rf], b.parity[rb]))
    better = cost < found.threshold
    if better.any():
        found.add(cost[better], f.ident[rf[better]], b.ident[rb[better]])
