"""The :class:`Instance`: a validated, immutable milk-run problem (build one with
:func:`~milp_milkrun.instance.build_instance`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from milp_milkrun.instance.parts import DC, DistanceSpec, Site, TimeSpec, Vehicle, VehicleType, Window


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated milk-run instance. Construct with :func:`build_instance`, not directly."""

    name: str
    hub: Site
    dcs: tuple[DC, ...]
    vehicle_types: tuple[VehicleType, ...]
    distance: np.ndarray = field(repr=False)
    distance_spec: DistanceSpec
    forbidden: frozenset[tuple[str, str]] = frozenset()  # (dc id, vehicle name): set B
    consecutive: tuple[tuple[str, str], ...] = ()  # ordered pairs: set P
    damaged_roads: tuple[tuple[str, str], ...] = ()  # unordered roads: set R
    coordinates: str = "none"  # "latlon", "xy" or "none"
    distance_unit: str = "km"
    description: str = ""
    unit_mass_kg: float | None = None  # mass of one unit of demand (emissions); None when not given
    objective: str = "distance"  # "distance" (Eq 1) or "cost" (Eq 1c: fixed and per-km costs of each type)
    splits: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (original DC, its parts)
    warnings: tuple[str, ...] = ()
    time: TimeSpec | None = None  # None: the instance has no time (no windows, shifts or travel times)
    travel_matrix: np.ndarray | None = field(default=None, repr=False)  # explicit travel minutes, node-indexed

    # ----- sets and data of the formulation -------------------------------------------------
    @property
    def n_dcs(self) -> int:
        """N, the number of DC nodes (after splitting)."""
        return len(self.dcs)

    @cached_property
    def node_ids(self) -> tuple[str, ...]:
        """Ids of V = {0..N}: the hub first, then the DCs."""
        return (self.hub.id, *(dc.id for dc in self.dcs))

    @cached_property
    def index(self) -> dict[str, int]:
        """Node id -> node index in V."""
        return {node: i for i, node in enumerate(self.node_ids)}

    @cached_property
    def demand(self) -> np.ndarray:
        """l_j for j in V (0 for the hub)."""
        return np.array([0.0, *(dc.demand for dc in self.dcs)])

    @cached_property
    def vehicles(self) -> tuple[Vehicle, ...]:
        """T, every vehicle of the fleet in type order."""
        return tuple(Vehicle(name, vt) for vt in self.vehicle_types for name in vt.vehicle_names())

    @cached_property
    def vehicle_by_name(self) -> dict[str, Vehicle]:
        """Every vehicle by its name."""
        return {v.name: v for v in self.vehicles}

    @property
    def total_demand(self) -> float:
        return float(sum(dc.demand for dc in self.dcs))

    @property
    def fleet_capacity(self) -> float:
        """Total capacity of the fleet; ``inf`` with an unlimited type."""
        if any(vt.unlimited for vt in self.vehicle_types):
            return math.inf
        return float(sum((vt.count or 0) * vt.capacity for vt in self.vehicle_types))  # a built type has a count

    # ----- time (module milp_milkrun.timing states the semantics) ----------------------------
    @property
    def has_time(self) -> bool:
        """Whether the instance has time: windows, service times, hub hours, shifts, travel times."""
        return self.time is not None

    @property
    def hub_hours(self) -> Window | None:
        """(earliest departure, latest return) at the hub in minutes; None without time."""
        return None if self.time is None else (self.time.hub_open, self.time.hub_close)

    @cached_property
    def windows(self) -> tuple[tuple[Window, ...], ...]:
        """The receiving windows of every node in V, sorted and disjoint; the hub's (and a DC's that
        gives none) is the hub's hours. Empty tuples without time."""
        if self.hub_hours is None:
            return tuple(() for _ in self.node_ids)
        return ((self.hub_hours,), *(dc.windows or (self.hub_hours,) for dc in self.dcs))

    @cached_property
    def service_time(self) -> np.ndarray:
        """Minutes of service at every node in V: ``service + service_per_unit * demand`` (0 at the hub)."""
        return np.array([0.0, *(dc.service + dc.service_per_unit * dc.demand for dc in self.dcs)])

    def travel_time(self, vehicle_type: VehicleType | str) -> np.ndarray:
        """The travel-time matrix (minutes, node-indexed like ``distance``) of a vehicle type.

        Parameters
        ----------
        vehicle_type : VehicleType or str
            A type of the fleet or its name.

        Returns
        -------
        np.ndarray
            The explicit travel-time matrix, or ``distance * 60 / speed`` with the type's speed (or
            the instance's), read-only. Types of equal speed share one array.
        """
        if self.time is None:
            raise ValueError(f"instance {self.name} has no time")
        if self.travel_matrix is not None:
            return self.travel_matrix
        name = vehicle_type if isinstance(vehicle_type, str) else vehicle_type.name
        speed = self._speed_of[name]
        if speed not in self._travel_by_speed:
            travel = self.distance * (60.0 / speed)
            travel.setflags(write=False)
            self._travel_by_speed[speed] = travel
        return self._travel_by_speed[speed]

    def speed(self, vehicle_type: VehicleType | str) -> float | None:
        """A vehicle type's speed in distance units per hour: its own or the instance's.

        Parameters
        ----------
        vehicle_type : VehicleType or str
            A type of the fleet or its name.

        Returns
        -------
        float or None
            The speed; None without time or with a travel-time matrix.
        """
        if self.time is None or self.travel_matrix is not None:
            return None
        return self._speed_of[vehicle_type if isinstance(vehicle_type, str) else vehicle_type.name]

    @cached_property
    def _speed_of(self) -> dict[str, float]:
        default = self.time.speed if self.time is not None else None
        return {vt.name: float(vt.speed if vt.speed is not None else default) for vt in self.vehicle_types}  # type: ignore[arg-type]

    @cached_property
    def _travel_by_speed(self) -> dict[float, np.ndarray]:
        return {}

    def dist(self, a: str, b: str) -> float:
        """d_ab between two node ids.

        Parameters
        ----------
        a, b : str
            Node ids (the hub's or DCs').

        Returns
        -------
        float
            The distance from a to b.
        """
        return float(self.distance[self.index[a], self.index[b]])

    def is_allowed(self, dc: str, vehicle: str) -> bool:
        """False when (dc, vehicle) is in the forbidden set B.

        Parameters
        ----------
        dc : str
            A DC id.
        vehicle : str
            A vehicle name.

        Returns
        -------
        bool
            Whether the vehicle may serve the DC.
        """
        return (dc, vehicle) not in self.forbidden

    def is_damaged(self, a: str, b: str) -> bool:
        """True when the road between a and b (either direction) is in R.

        Parameters
        ----------
        a, b : str
            Node ids.

        Returns
        -------
        bool
            Whether the road is damaged.
        """
        return (a, b) in self._damaged_lookup

    @cached_property
    def _damaged_lookup(self) -> frozenset[tuple[str, str]]:
        return frozenset({*self.damaged_roads, *((b, a) for a, b in self.damaged_roads)})

    def allowed_vehicles(self, dc: str) -> list[Vehicle]:
        """The vehicles that may serve ``dc`` (not forbidden by B).

        Parameters
        ----------
        dc : str
            A DC id.

        Returns
        -------
        list[Vehicle]
            The vehicles, in fleet order.
        """
        return [v for v in self.vehicles if self.is_allowed(dc, v.name)]

    def vehicle_type_allowed(self, dc: str, vehicle_type: VehicleType) -> bool:
        """True when at least one vehicle of this type may serve the DC.

        Parameters
        ----------
        dc : str
            A DC id.
        vehicle_type : VehicleType
            A type of the fleet.

        Returns
        -------
        bool
            Whether some vehicle of the type is allowed at the DC.
        """
        return any(self.is_allowed(dc, name) for name in vehicle_type.vehicle_names())
