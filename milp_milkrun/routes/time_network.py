"""Time as the route engine's pricing sees it (:mod:`milp_milkrun.timing` states the semantics): each
vehicle type's windows and leave times (:class:`TimeNetwork`) and the arcs no window admits
(:func:`time_admits`), which :func:`~milp_milkrun.routes.networks.class_networks` removes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import allowance
from milp_milkrun.timing import shortest_trips


@dataclass(frozen=True)
class TimeNetwork:
    """Time as the pricing of one vehicle type sees it: ``leave[i, j]`` is the service at i plus the
    travel i -> j (from the start of service at i to the arrival at j); ``opens`` and ``closes`` the
    windows of each node, padded to one width (padding never admits), the closes with the checker's
    float allowance.  Node 0 is the hub: its one window is the hub's hours.  ``back[j]``: the service
    at j plus the shortest trip from j to the hub (over every road: travel times need not obey the
    triangle inequality)."""

    leave: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    back: np.ndarray
    shift: float = (
        math.inf
    )  # the type's shift with the float allowance; inf: none (with a shift no DC has two windows, see time_network)

    @property
    def hub_open(self) -> float:
        return float(self.opens[0, 0])

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


def time_network(instance: Instance, vehicle_type: str) -> TimeNetwork:
    """The :class:`TimeNetwork` of a vehicle type of an instance with time.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    vehicle_type : str
        The name of a type of its fleet.

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
    if shift is not None and width > 1:
        raise ValueError(
            "a shift with several windows per DC: the route engine refuses it (routes.time_network.refuse_shifts)"
        )
    return TimeNetwork(
        leave,
        opens,
        closes,
        instance.service_time + shortest_trips(travel)[1],
        math.inf if shift is None else allowance(shift),
    )


def time_admits(instance: Instance, times: TimeNetwork, vehicle_type: str) -> np.ndarray:
    """admits[i, j]: arc i -> j can be part of a route in time.  Its tail i is reached at the earliest
    by the shortest trip from the hub's opening, and its head j must be served in a window and left
    early enough to reach the hub (by its shortest trip back) by its closing: every route in time
    drives only admitted arcs, an arc elimination exact for every engine that states time.

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
    return admits & np.isfinite(earliest)[:, None]


def shift_refusal(instance: Instance) -> InputError | None:
    """Why the route engine refuses ``instance`` (a shift beside a DC with several windows, or a cost per
    hour of route duration, which its pricing does not charge yet), or None.

    Parameters
    ----------
    instance : Instance
        The instance to solve.

    Returns
    -------
    InputError or None
        The error naming the vehicle type's shift and the DC, or None when the engine states the instance.
    """
    several = next((dc for dc in instance.dcs if len(dc.windows) > 1), None)
    for k, vt in enumerate(instance.vehicle_types):
        if vt.shift is not None and several is not None:
            return InputError(
                f"vehicle_types[{k}].shift",
                f"the route engine (--model routes) does not handle time windows and shifts together yet when a DC has several "
                f"windows (DC {several.origin}) and vehicle type {vt.name} has a shift; drop one or use another engine",
            )
        if vt.cost_per_hour:  # even under the distance objective: --objective cost may ask for it
            return InputError(
                f"vehicle_types[{k}].cost_per_hour",
                f"the route engine (--model routes) does not price a cost per hour yet (vehicle type {vt.name}); "
                "use --model exact or auto",
            )
    return None


def refuse_shifts(instance: Instance) -> None:
    """Refuse a shift (Eq 18) beside a DC with several windows in one clear line: the labelling's
    shortest duration assumes one window per DC (:func:`milp_milkrun.routes.clocks.next_clocks`).

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    """
    refusal = shift_refusal(instance)
    if refusal is not None:
        raise refusal
