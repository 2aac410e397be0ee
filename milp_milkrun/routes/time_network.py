"""Time as the route engine's pricing sees it (:mod:`milp_milkrun.timing` states the semantics): each
vehicle type's windows and leave times (:class:`TimeNetwork`) and the arcs no window admits
(:func:`time_admits`), which :func:`~milp_milkrun.routes.networks.class_networks` removes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from milp_milkrun.instance import Instance
from milp_milkrun.limits import allowance
from milp_milkrun.timing import shortest_trips


@dataclass(frozen=True)
class TimeNetwork:
    """Time as the pricing of one vehicle type sees it: ``leave[i, j]`` is the service at i plus the
    travel i -> j (from the start of service at i to the arrival at j); ``opens`` and ``closes`` the
    windows of each node, padded to one width (padding never admits), the closes with the checker's
    float allowance, ``count[j]`` how many windows j has.  Node 0 is the hub: its one window is the
    hub's hours.  ``back[j]``: the service at j plus the shortest trip from j to the hub (over every
    road: travel times need not obey the triangle inequality), ``service[j]`` the service at j.  ``per_minute``: what a minute of route
    duration costs (the type's cost per hour / 60; 0 under an objective without it)."""

    leave: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    count: np.ndarray
    back: np.ndarray
    service: np.ndarray  # the service time at each node (in ``leave``; the reversed network needs it alone)
    shift: float = math.inf  # the type's shift with the float allowance; inf: none
    per_minute: float = 0.0

    @property
    def hub_open(self) -> float:
        return float(self.opens[0, 0])

    @property
    def tracks_duration(self) -> bool:
        """Whether a route's duration matters (a shift or a cost per hour): the labels then carry their
        latest departure and driving time, one copy per window (:mod:`milp_milkrun.routes.clocks`)."""
        return math.isfinite(self.shift) or self.per_minute > 0

    def start(self, arrival: np.ndarray, nodes: np.ndarray) -> np.ndarray:
        """Start of service on arriving at ``nodes`` at ``arrival`` (broadcast together): the earliest
        window that admits the arrival, waiting for it to open; inf where none does."""
        start = np.full(np.broadcast(arrival, nodes).shape, np.inf)
        for w in reversed(range(self.opens.shape[1])):  # the earliest admitting window is written last
            start = np.where(arrival <= self.closes[nodes, w], np.maximum(arrival, self.opens[nodes, w]), start)
        return start

    def home_by_close(self, start: np.ndarray, nodes: np.ndarray, *, direct: bool) -> np.ndarray:
        """Whether a label starting service at ``nodes`` at ``start`` is back by the hub's closing
        driving home directly (``direct``) or by the shortest trip (whatever it visits first)."""
        return start + (self.leave[nodes, 0] if direct else self.back[nodes]) <= self.closes[0, 0]


def time_network(instance: Instance, vehicle_type: str, per_hour: float = 0.0) -> TimeNetwork:
    """The :class:`TimeNetwork` of a vehicle type of an instance with time.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    vehicle_type : str
        The name of a type of its fleet.
    per_hour : float
        What an hour of the type's route duration costs under the objective solved (its rates' ``per_hour``).

    Returns
    -------
    TimeNetwork
        Its windows and leave times.
    """
    width = max(len(w) for w in instance.windows)
    n = instance.n_dcs + 1
    opens, closes = np.full((n, width), np.inf), np.full((n, width), -np.inf)
    for j, windows in enumerate(instance.windows):
        for w, (a, b) in enumerate(windows):
            opens[j, w], closes[j, w] = a, allowance(b)
    travel = instance.travel_time(vehicle_type)
    leave = instance.service_time[:, None] + travel
    shift = next(vt.shift for vt in instance.vehicle_types if vt.name == vehicle_type)
    return TimeNetwork(
        leave,
        opens,
        closes,
        np.array([len(w) for w in instance.windows]),
        instance.service_time + shortest_trips(travel)[1],
        np.asarray(instance.service_time, dtype=float),
        math.inf if shift is None else allowance(shift),
        per_hour / 60.0,
    )


def time_admits(instance: Instance, times: TimeNetwork, vehicle_type: str) -> np.ndarray:
    """admits[i, j]: arc i -> j can be part of a route in time.  Its tail i is reached at the earliest
    by the shortest trip from the hub's opening, and its head j must be served in a window and left
    early enough to reach the hub (by its shortest trip back) by its closing: every route in time
    drives only admitted arcs, an arc elimination exact for every engine that states time.  With a
    shift, an arc i -> j also needs the shortest trip to i, the arc (with i's service) and j's shortest
    way back (with j's service) to fit in the shift: no route through it lasts less.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    times : TimeNetwork
        The vehicle type's :func:`time_network`.
    vehicle_type : str
        Its name.

    Returns
    -------
    np.ndarray
        A boolean matrix, node-indexed.
    """
    there = shortest_trips(instance.travel_time(vehicle_type))[0]
    nodes = np.arange(len(there))
    earliest = times.start(times.hub_open + there, nodes)  # the hub's own: its opening
    arrival = earliest[:, None] + times.leave
    admits = times.home_by_close(times.start(arrival, nodes[None, :]), nodes[None, :], direct=False)
    admits[:, 0] = np.isfinite(earliest) & (arrival[:, 0] <= times.closes[0, 0])
    admits &= there[:, None] + times.leave + times.back[None, :] <= times.shift
    return admits & np.isfinite(earliest)[:, None]
