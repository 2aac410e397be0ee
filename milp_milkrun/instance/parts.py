"""The parts of an instance: the vehicle types and vehicles of the fleet, the hub and DC sites, and how
distances are obtained (:class:`DistanceSpec`)."""

from __future__ import annotations

from dataclasses import dataclass

Window = tuple[float, float]  # (open, close) in minutes


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles: capacity Q_t, route distance limit D_t, stop limit H_t and costs.

    A route of this type costs ``fixed_cost + cost_per_km * length`` (the defaults 0 and 1 make cost
    equal distance), plus ``cost_per_hour`` times its duration in hours on an instance with time. ``count=None`` asks for an unlimited fleet of the type: :func:`build_instance`
    replaces it by a count no plan can need more of (see ``milp_milkrun.instance.build._unlimited_count``) and sets
    ``unlimited``, so a built instance always has a finite list of vehicles.
    """

    name: str
    count: int | None  # None (unlimited) only in what a user passes to build_instance
    capacity: float
    max_distance: float | None = None
    max_stops: int | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    unlimited: bool = False
    shift: float | None = None  # longest route duration in minutes (time instances); None: no limit
    speed: float | None = None  # distance units per hour; None: the instance's speed or travel-time matrix
    cost_per_hour: float = 0.0  # cost per hour of route duration (objective cost; time instances only)

    def vehicle_names(self) -> list[str]:
        """The names of this type's vehicles, ``<type>-1`` to ``<type>-<count>``.

        Returns
        -------
        list[str]
            One name per vehicle, in fleet order.
        """
        return [f"{self.name}-{k}" for k in range(1, (self.count or 0) + 1)]


@dataclass(frozen=True)
class Vehicle:
    """One vehicle t of the fleet, named ``<type>-<k>``."""

    name: str
    type: VehicleType

    @property
    def capacity(self) -> float:
        return self.type.capacity

    @property
    def max_distance(self) -> float | None:
        return self.type.max_distance

    @property
    def max_stops(self) -> int | None:
        return self.type.max_stops

    @property
    def shift(self) -> float | None:
        return self.type.shift


@dataclass(frozen=True)
class Site:
    """A hub or DC location; ``x``/``y`` are lon/lat for geographic instances, plane coordinates otherwise."""

    id: str
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class DC:
    """A distribution centre with its daily demand l_j; ``origin`` is the DC it was split from (or itself)."""

    id: str
    demand: float
    x: float | None = None
    y: float | None = None
    origin: str = ""
    unit_mass_kg: float | None = None  # mass of one unit of this DC's demand, when it differs from the instance's
    windows: tuple[Window, ...] = ()  # receiving windows (open, close) in minutes; () = the hub's hours
    service: float = 0.0  # fixed unloading time in minutes
    service_per_unit: float = 0.0  # unloading minutes per unit of demand

    def __post_init__(self) -> None:
        if not self.origin:
            object.__setattr__(self, "origin", self.id)


@dataclass(frozen=True)
class DistanceSpec:
    """How the distance matrix d_ij was obtained: ``haversine``, ``euclidean`` or ``matrix``."""

    metric: str
    road_factor: float = 1.0
    rounding: str = "none"

    def describe(self) -> str:
        """How d_ij was obtained, in words (for the instance summary).

        Returns
        -------
        str
            E.g. ``haversine great-circle x road factor 1.3 (unrounded)``.
        """
        if self.metric == "haversine":
            return f"haversine great-circle x road factor {self.road_factor:g} (unrounded)"
        if self.metric == "euclidean":
            return {
                "nearest": "euclidean, rounded to nearest integer",
                "truncate1": "euclidean, truncated to one decimal",
            }.get(self.rounding, "euclidean (unrounded)")
        return "explicit matrix"


@dataclass(frozen=True)
class TimeSpec:
    """The instance-level part of time: the hub's opening hours and a default speed.

    ``speed`` (distance units per hour) applies to every vehicle type that gives none of its own; it
    is None when the instance gives a travel-time matrix instead or every type has its own speed.
    """

    hub_open: float
    hub_close: float
    speed: float | None = None
