"""What a route consumes, as one abstraction: its resources, per vehicle class or vehicle type.

A route hub -> stops -> hub of a vehicle consumes **load** (each DC's demand, limit Q, Eq 5),
**stops** (one per DC, limit H, Eq 7), **distance** (each arc's length, limit D, Eq 6) and, on an
instance with time, **time** (the windows, the hub's hours and the shift, Eq 15-18). Each is a
:class:`RouteResource`: how much a route starts with, how it grows on an arc, what closing the route
adds, and whether the amount stays within the limit, where "within" is :mod:`milp_milkrun.limits`'
(:func:`~milp_milkrun.limits.allowance`), the checker's meaning. The first three add up along the
route (:class:`AdditiveResource`) and work on numpy arrays of labels at once, so the route engine's
labelling uses them in its vectorised loops; :class:`AdditiveResource` also has a lower bound on what
completing a route still costs (``to_hub``: for distance, the shortest way back to the hub), so a
partial route that cannot come back within the limit is pruned (:meth:`AdditiveResource.admits`).
Time (:class:`TimeResource`) carries a segment of :mod:`milp_milkrun.time_segments` instead of a
number: the same steps, one route at a time.

:meth:`RouteResources.of_class` gives the resources of a vehicle class of
:func:`~milp_milkrun.implied.vehicle_classes` (its capacity rounded to the demand grain, its stop limit
capped at the DCs it may serve: exact reductions), :meth:`RouteResources.of_type` those of a vehicle
type as stated; :meth:`RouteResources.fits` tests a complete route against all of them. A new per-route
limit is one more resource here, the exact models' rows and the checker's own test (which stays
independent: it recomputes every amount from the raw instance, docs/contributing.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from milp_milkrun.implied import VehicleClass, shortest_paths
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import allowance
from milp_milkrun.time_segments import Segment, concatenate, node_segment, route_fits_in_time, within_shift

Amount = Any  # one label's amount (float), or a numpy array of labels' amounts
Nodes = Any  # a node index, or a numpy array of them (broadcast with the amounts)
Verdict = Any  # a bool, or a numpy array of them: one per amount


class RouteResource(Protocol):
    """Something a route consumes, with a limit per vehicle."""

    name: str

    def fits(self, stops: Sequence[int]) -> bool:
        """Whether the complete route hub -> ``stops`` -> hub keeps the limit."""
        ...


class AdditiveResource:
    """A resource that adds up along a route: ``node_use[j]`` on arriving at node j, ``arc_use[i, j]``
    on driving i -> j (either may be None: nothing), within ``limit`` (inf: none).

    The methods take amounts and nodes as numpy arrays (broadcast together) or scalars; they add in
    driving order, as the checker does, so a route's amount is the same number whichever engine
    computes it.

    Attributes
    ----------
    ceiling : float
        ``allowance(limit)``: the largest amount within the limit.
    to_hub : numpy.ndarray
        Per node, a lower bound on what the rest of a route from it back to the hub adds (zeros when
        nothing is known; the shortest way home for distance).
    """

    __slots__ = ("name", "limit", "ceiling", "node_use", "arc_use", "to_hub")

    def __init__(
        self,
        name: str,
        limit: float,
        *,
        node_use: np.ndarray | None = None,
        arc_use: np.ndarray | None = None,
        to_hub: np.ndarray | None = None,
    ) -> None:
        if node_use is None and arc_use is None:
            raise ValueError(f"resource {name}: neither a use per node nor a use per arc")
        n = len(node_use) if node_use is not None else len(arc_use)  # type: ignore[arg-type]
        self.name = name
        self.limit = float(limit)
        self.ceiling = allowance(self.limit)
        self.node_use = node_use
        self.arc_use = arc_use
        self.to_hub = to_hub if to_hub is not None else np.zeros(n)

    def __repr__(self) -> str:
        return f"AdditiveResource({self.name!r}, limit={self.limit:g})"

    def start(self, first: Nodes) -> Amount:
        """The amount of the partial routes hub -> ``first``."""
        return self.extend(0.0, 0, first)

    def extend(self, used: Amount, i: Nodes, j: Nodes) -> Amount:
        """The amount after driving on from node(s) ``i`` to node(s) ``j`` with ``used`` so far."""
        if self.arc_use is not None:
            used = used + self.arc_use[i, j]
        if self.node_use is not None:
            used = used + self.node_use[j]
        return used

    def close(self, used: Amount, i: Nodes) -> Amount:
        """The amount of the complete route: ``used`` so far at node(s) ``i``, then straight to the hub."""
        return used + self.arc_use[i, 0] if self.arc_use is not None else used

    def within(self, used: Amount) -> Verdict:
        """Whether ``used`` is within the limit (:func:`~milp_milkrun.limits.allowance`)."""
        return used <= self.ceiling

    def admits(self, used: Amount, j: Nodes) -> Verdict:
        """Whether a partial route at node(s) ``j`` with ``used`` so far can still come back within
        the limit: ``used`` plus the completion bound ``to_hub[j]`` is within it."""
        return used + self.to_hub[j] <= self.ceiling

    def used_by(self, stops: Sequence[int]) -> float:
        """The amount of the complete route hub -> ``stops`` -> hub, added in driving order."""
        used = 0.0
        for i, j in itertools.pairwise((0, *stops, 0)):
            used = self.extend(used, i, j)
        return float(used)

    def fits(self, stops: Sequence[int]) -> bool:
        """Whether the complete route hub -> ``stops`` -> hub keeps the limit."""
        return bool(self.within(self.used_by(stops)))


class TimeResource:
    """Time (Eq 15-18) as one more resource of a vehicle type: the amount is a
    :data:`~milp_milkrun.time_segments.Segment` (the ways through the route so far that meet every
    window), which grows by concatenation; a route is within the limit when it is back by the hub's
    closing and, with a shift, some way lasts at most the shift.

    The route engine's labelling keeps its own vectorised clock (``routes/clocks.py``); moving that
    step here is the next one (docs/architecture.md).
    """

    __slots__ = ("name", "instance", "vehicle_type", "travel")

    def __init__(self, instance: Instance, vehicle_type: VehicleType) -> None:
        self.name = "time"
        self.instance = instance
        self.vehicle_type = vehicle_type
        self.travel = instance.travel_time(vehicle_type)

    def __repr__(self) -> str:
        return f"TimeResource({self.vehicle_type.name!r})"

    def start(self, first: int) -> Segment:
        """The segment hub -> ``first`` (leaving the hub within its hours)."""
        return self.extend(node_segment(self.instance, 0), 0, first)

    def extend(self, used: Segment, i: int, j: int) -> Segment:
        """The segment after driving on from node i to node j; empty when no window admits it."""
        return concatenate(used, node_segment(self.instance, j), float(self.travel[i, j]))

    def close(self, used: Segment, i: int) -> Segment:
        """The segment of the complete route: back to the hub from node i."""
        return self.extend(used, i, 0)

    def within(self, used: Segment) -> bool:
        """Whether a complete route's segment meets the hub's hours and the shift."""
        return within_shift(used, self.vehicle_type)

    def fits(self, stops: Sequence[int]) -> bool:
        """Whether the complete route hub -> ``stops`` -> hub meets Eq 15-18."""
        return route_fits_in_time(self.instance, self.vehicle_type, stops)


@dataclass(frozen=True)
class RouteResources:
    """Every resource a route of one vehicle class (or type) consumes, with that vehicle's limits."""

    load: AdditiveResource
    stops: AdditiveResource
    distance: AdditiveResource
    time: TimeResource | None  # None: the instance has no time

    def __iter__(self) -> Iterator[RouteResource]:
        yield from (self.load, self.stops, self.distance)
        if self.time is not None:
            yield self.time

    def fits(self, stops: Sequence[int]) -> bool:
        """Whether the complete route hub -> ``stops`` -> hub keeps every limit (elementarity, the
        DCs a vehicle may serve, consecutive pairs and damaged roads are the arc set's, not here).

        Parameters
        ----------
        stops : Sequence[int]
            The route's DC indices in driving order.

        Returns
        -------
        bool
            True when every resource is within its limit.
        """
        return all(resource.fits(stops) for resource in self)

    @classmethod
    def of_class(cls, instance: Instance, vehicle_class: VehicleClass) -> RouteResources:
        """The resources of a vehicle class (:func:`~milp_milkrun.implied.vehicle_classes`).

        Parameters
        ----------
        instance : Instance
            The instance.
        vehicle_class : VehicleClass
            One of its classes: its capacity (rounded to the demand grain), stop limit (capped at the
            DCs it may serve) and distance limit.

        Returns
        -------
        RouteResources
            Load, stops, distance and (with time) the time of the class's vehicle type.
        """
        vehicle_type = next(vt for vt in instance.vehicle_types if vt.name == vehicle_class.vehicle_type)
        return cls._of(
            instance, vehicle_class.capacity, vehicle_class.max_stops, vehicle_class.max_distance, vehicle_type
        )

    @classmethod
    def of_type(cls, instance: Instance, vehicle_type: VehicleType) -> RouteResources:
        """The resources of a vehicle type, with its limits as stated (no stop limit: every DC).

        Parameters
        ----------
        instance : Instance
            The instance.
        vehicle_type : VehicleType
            One of its vehicle types.

        Returns
        -------
        RouteResources
            Load, stops, distance and (with time) time.
        """
        stops = vehicle_type.max_stops if vehicle_type.max_stops is not None else instance.n_dcs
        return cls._of(instance, vehicle_type.capacity, stops, vehicle_type.max_distance, vehicle_type)

    @classmethod
    def _of(
        cls, instance: Instance, capacity: float, max_stops: int, max_distance: float | None, vehicle_type: VehicleType
    ) -> RouteResources:
        visits = np.ones(instance.n_dcs + 1)
        visits[0] = 0.0  # the hub is no stop
        return cls(
            AdditiveResource("load", capacity, node_use=instance.demand),
            AdditiveResource("stops", max_stops, node_use=visits),
            AdditiveResource(
                "distance",
                math.inf if max_distance is None else max_distance,
                arc_use=instance.distance,
                to_hub=shortest_paths(instance)[:, 0],
            ),
            TimeResource(instance, vehicle_type) if instance.has_time else None,
        )
