"""The milk-run instance: a hub, its DCs, a heterogeneous fleet and the side constraints.

An :class:`Instance` is immutable and already validated: every id it mentions exists, demands are
non-negative and DCs whose demand exceeds every allowed vehicle are split (seed, assumption 1).
Build one with :func:`build_instance` (a notebook user) or a file loader in :mod:`milp_milkrun.io`.

Node indices follow the paper: 0 is the hub, 1..N are the DCs in the order of ``Instance.dcs``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.timing import TimeSpec, Window, check_reachable, check_time

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), as the instance format specifies


OBJECTIVES = ("distance", "cost")  # what an instance may ask to minimise (emissions need a factors file)


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles: capacity Q_t, route distance limit D_t, stop limit H_t and costs.

    A route of this type costs ``fixed_cost + cost_per_km * length`` (the defaults 0 and 1 make cost
    equal distance). ``count=None`` asks for an unlimited fleet of the type: :func:`build_instance`
    replaces it by a count no plan can need more of (see :func:`_unlimited_count`) and sets
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
        return float(sum(vt.count * vt.capacity for vt in self.vehicle_types))

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


# ----- distances ---------------------------------------------------------------------------
def haversine_matrix(lat: Sequence[float], lon: Sequence[float], road_factor: float = 1.0) -> np.ndarray:
    """Great-circle distances in km (R = 6371.0088 km) times a road factor, unrounded.

    Parameters
    ----------
    lat, lon : Sequence[float]
        Latitudes and longitudes in degrees, one per node.
    road_factor : float
        Multiplies every distance (roads are longer than great circles).

    Returns
    -------
    np.ndarray
        The n x n distance matrix.
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * road_factor


def euclidean_matrix(x: Sequence[float], y: Sequence[float], rounding: str = "none") -> np.ndarray:
    """Plane distances; ``rounding="nearest"`` is TSPLIB's nint, the convention of CVRPLIB optima, and
    ``"truncate1"`` truncates to one decimal (``floor(10 d) / 10``), the exact VRPTW literature's
    convention for Solomon's instances.

    Parameters
    ----------
    x, y : Sequence[float]
        Coordinates, one per node.
    rounding : str
        ``none``, ``nearest`` or ``truncate1``.

    Returns
    -------
    np.ndarray
        The n x n distance matrix.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    dx = xs[:, None] - xs[None, :]
    dy = ys[:, None] - ys[None, :]
    if rounding == "truncate1":  # sqrt of 100 d^2: exact for integer coordinates (no 10 * d rounding across an integer)
        return np.floor(np.sqrt(100.0 * (dx * dx + dy * dy))) / 10.0
    d = np.hypot(dx, dy)
    return np.floor(d + 0.5) if rounding == "nearest" else d


# ----- construction and semantic validation --------------------------------------------------
def build_instance(
    *,
    name: str,
    hub: Site,
    dcs: Sequence[DC],
    vehicle_types: Sequence[VehicleType],
    distance_spec: DistanceSpec,
    matrix: np.ndarray | None = None,
    matrix_ids: Sequence[str] | None = None,
    forbidden: Iterable[Mapping[str, str]] = (),
    consecutive: Iterable[Sequence[str]] = (),
    damaged_roads: Iterable[Sequence[str]] = (),
    coordinates: str = "none",
    distance_unit: str = "km",
    description: str = "",
    unit_mass_kg: float | None = None,
    objective: str = "distance",
    time: TimeSpec | None = None,
    travel_matrix: np.ndarray | None = None,
    travel_matrix_ids: Sequence[str] | None = None,
) -> Instance:
    """Validate the semantics of an instance, split oversized DCs and compute d_ij.

    Parameters
    ----------
    name, description : str
        The instance's name and a free text about it.
    hub : Site
        The hub (node 0).
    dcs : Sequence[DC]
        The DCs (nodes 1..N, in this order).
    vehicle_types : Sequence[VehicleType]
        The fleet, type by type; a type with ``count=None`` is unlimited: it gets the count of
        :func:`_unlimited_count`.
    distance_spec : DistanceSpec
        How d_ij is obtained: from coordinates (haversine, euclidean) or from ``matrix``.
    matrix, matrix_ids : optional
        An explicit distance matrix and the node ids of its rows and columns.
    forbidden : Iterable[Mapping[str, str]]
        Set B: ``{"dc": id, "vehicle_type": name}`` or ``{"dc": id, "vehicle": name}`` entries.
    consecutive : Iterable[Sequence[str]]
        Set P: pairs of DCs one vehicle must visit one right after the other.
    damaged_roads : Iterable[Sequence[str]]
        Roads (pairs of node ids) that may not be driven.
    coordinates : str
        ``latlon``, ``xy`` or ``none``.
    distance_unit : str
        The unit of d_ij, for reports.
    unit_mass_kg : float, optional
        The mass of one unit of demand (for emissions).
    objective : str
        What a solve minimises by default: ``distance`` or ``cost``.
    time : TimeSpec, optional
        The hub's hours and a default speed; None for an instance without time (then no DC or
        vehicle type may give a time field).
    travel_matrix, travel_matrix_ids : optional
        An explicit travel-time matrix (minutes) and the node ids of its rows and columns, instead
        of speeds.

    Returns
    -------
    Instance
        The immutable instance. The first problem found raises :class:`InputError` naming its field
        and id.
    """
    _check_ids(hub, dcs)
    _check_fleet(vehicle_types)
    if objective not in OBJECTIVES:
        raise InputError("objective", f"unknown objective {objective!r}; choose from {', '.join(OBJECTIVES)}")
    _check_unlimited_forbidden(forbidden, vehicle_types)
    check_time(time, dcs, vehicle_types, has_travel_matrix=travel_matrix is not None or travel_matrix_ids is not None)
    vehicle_types = [replace(vt, count=1, unlimited=True) if vt.count is None else vt for vt in vehicle_types]
    for k, dc in enumerate(dcs):
        if not math.isfinite(dc.demand) or dc.demand < 0:
            raise InputError(f"dcs[{k}].demand", f"DC {dc.id} has demand {dc.demand}; demand must be >= 0")
        if dc.unit_mass_kg is not None and not (math.isfinite(dc.unit_mass_kg) and dc.unit_mass_kg > 0):
            raise InputError(f"dcs[{k}].unit_mass_kg", f"DC {dc.id} has unit mass {dc.unit_mass_kg}; it must be > 0")
    known = {hub.id, *(dc.id for dc in dcs)}
    forbidden_pairs = _expand_forbidden(forbidden, {dc.id for dc in dcs}, vehicle_types)
    consecutive_pairs = _check_pairs("consecutive", consecutive, known, hub.id, allow_hub=False)
    damaged = _check_pairs("damaged_roads", damaged_roads, known, hub.id, allow_hub=True)
    _check_consecutive_chains(consecutive_pairs, damaged)
    base_distance = _distance_matrix(hub, dcs, distance_spec, matrix, matrix_ids)
    warnings = [*_asymmetry_warnings(base_distance), *_capacity_warnings(dcs, vehicle_types)]
    split_dcs, splits = _split_oversized(dcs, vehicle_types, forbidden_pairs, consecutive_pairs)
    if any(vt.unlimited for vt in vehicle_types):
        vehicle_types = [_unlimited_count(vt, split_dcs, forbidden_pairs) if vt.unlimited else vt for vt in vehicle_types]
        forbidden_pairs = _expand_forbidden(forbidden, {dc.id for dc in dcs}, vehicle_types)
    distance = _expand_distance(base_distance, dcs, split_dcs)
    travel = None
    if travel_matrix is not None or travel_matrix_ids is not None:
        travel = _expand_distance(_reorder_matrix(hub, dcs, travel_matrix, travel_matrix_ids, "time.travel_time"), dcs, split_dcs)
        travel.setflags(write=False)
    instance = Instance(
        name=name,
        hub=hub,
        dcs=tuple(split_dcs),
        vehicle_types=tuple(vehicle_types),
        distance=distance,
        distance_spec=distance_spec,
        forbidden=_forbidden_for_parts(forbidden_pairs, splits),
        consecutive=tuple(consecutive_pairs),
        damaged_roads=_damaged_for_parts(damaged, splits),
        coordinates=coordinates,
        distance_unit=distance_unit,
        description=description,
        unit_mass_kg=unit_mass_kg,
        objective=objective,
        splits=tuple((orig, tuple(parts)) for orig, parts in splits.items()),
        warnings=tuple(warnings),
        time=time,
        travel_matrix=travel,
    )
    if instance.has_time:
        check_reachable(instance)
    return instance


def _check_ids(hub: Site, dcs: Sequence[DC]) -> None:
    if not dcs:
        raise InputError("dcs", "the instance has no DCs")
    seen = {hub.id: "hub.id"}
    for k, dc in enumerate(dcs):
        where = f"dcs[{k}].id"
        if not dc.id:
            raise InputError(where, "DC id is empty")
        if "/" in dc.id:
            raise InputError(where, f"DC id {dc.id!r} contains '/', which is reserved for split parts")
        if dc.id in seen:
            raise InputError(where, f"id {dc.id!r} is used twice (also at {seen[dc.id]})")
        seen[dc.id] = where


def _check_fleet(vehicle_types: Sequence[VehicleType]) -> None:
    if not vehicle_types:
        raise InputError("vehicle_types", "the fleet is empty")
    names: set[str] = set()
    for k, vt in enumerate(vehicle_types):
        where = f"vehicle_types[{k}]"
        if vt.name in names:
            raise InputError(f"{where}.name", f"vehicle type {vt.name!r} is defined twice")
        names.add(vt.name)
        if vt.count is not None and vt.count < 1:
            raise InputError(f"{where}.count", f"vehicle type {vt.name} has count {vt.count}; it must be >= 1")
        if not vt.capacity > 0:
            raise InputError(f"{where}.capacity", f"vehicle type {vt.name} has capacity {vt.capacity}; it must be > 0")
        if vt.max_distance is not None and not vt.max_distance > 0:
            raise InputError(f"{where}.max_distance", f"vehicle type {vt.name} has max_distance {vt.max_distance}; it must be > 0")
        if vt.max_stops is not None and vt.max_stops < 1:
            raise InputError(f"{where}.max_stops", f"vehicle type {vt.name} has max_stops {vt.max_stops}; it must be >= 1")
        for cost_field in ("fixed_cost", "cost_per_km"):
            value = getattr(vt, cost_field)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"{where}.{cost_field}", f"vehicle type {vt.name} has {cost_field} {value}; it must be a number >= 0")


def _check_unlimited_forbidden(entries: Iterable[Mapping[str, str]], vehicle_types: Sequence[VehicleType]) -> None:
    """Vehicles of an unlimited type have no fixed names: forbid the type, not one of its vehicles."""
    unlimited = {vt.name for vt in vehicle_types if vt.count is None}
    for k, entry in enumerate(entries):
        vehicle = entry.get("vehicle")
        if isinstance(vehicle, str) and vehicle.rsplit("-", 1)[0] in unlimited:
            raise InputError(f"forbidden[{k}].vehicle", f"{vehicle} belongs to the unlimited type {vehicle.rsplit('-', 1)[0]}; forbid the vehicle_type instead")


def _unlimited_count(vt: VehicleType, dcs: Sequence[DC], forbidden: set[tuple[str, str]]) -> VehicleType:
    """The type with a count no plan needs more of: the number of DC nodes it may serve.

    Every vehicle a plan uses visits at least one DC and every DC is visited once, so no plan uses
    more vehicles of a type than there are DCs the type may serve (demand within its capacity, not
    forbidden). The bound is valid for every objective and every side constraint.
    """
    probe = f"{vt.name}-1"  # an unlimited type is forbidden by type only, so one vehicle speaks for all
    servable = sum(1 for dc in dcs if dc.demand <= vt.capacity and (dc.origin, probe) not in forbidden)
    return replace(vt, count=max(servable, 1))


def _expand_forbidden(
    entries: Iterable[Mapping[str, str]], dc_ids: set[str], vehicle_types: Sequence[VehicleType]
) -> set[tuple[str, str]]:
    """Turn type-level and vehicle-level forbidden entries into the set B of (dc, vehicle name)."""
    by_type = {vt.name: vt.vehicle_names() for vt in vehicle_types}
    all_vehicles = {name for names in by_type.values() for name in names}
    pairs: set[tuple[str, str]] = set()
    for k, entry in enumerate(entries):
        dc = entry.get("dc")
        if dc not in dc_ids:
            raise InputError(f"forbidden[{k}].dc", f"unknown DC {dc!r}")
        if "vehicle_type" in entry:
            vtype = entry["vehicle_type"]
            if vtype not in by_type:
                raise InputError(f"forbidden[{k}].vehicle_type", f"unknown vehicle type {vtype!r}")
            pairs.update((dc, name) for name in by_type[vtype])
        elif "vehicle" in entry:
            vehicle = entry["vehicle"]
            if vehicle not in all_vehicles:
                raise InputError(f"forbidden[{k}].vehicle", f"unknown vehicle {vehicle!r} (vehicles are named <type>-<k>)")
            pairs.add((dc, vehicle))
        else:
            raise InputError(f"forbidden[{k}]", "needs 'vehicle_type' or 'vehicle'")
    for dc in sorted(dc_ids):
        if all((dc, name) in pairs for name in all_vehicles):
            raise InputError("forbidden", f"DC {dc} is forbidden for every vehicle, so nobody may serve it")
    return pairs


def _check_pairs(
    field_name: str, pairs: Iterable[Sequence[str]], known: set[str], hub_id: str, *, allow_hub: bool
) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    for k, pair in enumerate(pairs):
        where = f"{field_name}[{k}]"
        if len(pair) != 2:
            raise InputError(where, f"expected a pair of ids, got {list(pair)!r}")
        a, b = pair
        for node in (a, b):
            if node not in known:
                raise InputError(where, f"unknown id {node!r}")
            if node == hub_id and not allow_hub:
                raise InputError(where, f"the hub {hub_id!r} cannot be part of a consecutive pair")
        if a == b:
            raise InputError(where, f"pair ({a}, {b}) names the same DC twice")
        if (a, b) in checked or (field_name == "damaged_roads" and (b, a) in checked):
            raise InputError(where, f"pair ({a}, {b}) is listed twice")
        checked.append((a, b))
    return checked


def _check_consecutive_chains(consecutive: list[tuple[str, str]], damaged: list[tuple[str, str]]) -> None:
    """Reject a consecutive pair on a damaged road, a DC with two successors/predecessors, and cycles."""
    damaged_set = {*damaged, *((b, a) for a, b in damaged)}
    successor: dict[str, str] = {}
    predecessor: dict[str, str] = {}
    for k, (a, b) in enumerate(consecutive):
        where = f"consecutive[{k}]"
        if (a, b) in damaged_set:
            raise InputError(where, f"{a} -> {b} must be consecutive but the road between them is damaged")
        if (b, a) in successor.items():
            raise InputError(where, f"{a} -> {b} and {b} -> {a} cannot both be consecutive (a cycle without the hub)")
        if a in successor:
            raise InputError(where, f"{a} is asked to be followed by both {successor[a]} and {b}")
        if b in predecessor:
            raise InputError(where, f"{b} is asked to follow both {predecessor[b]} and {a}")
        successor[a] = b
        predecessor[b] = a
    for start in successor:
        node, steps = start, 0
        while node in successor:
            node, steps = successor[node], steps + 1
            if node == start:
                raise InputError("consecutive", f"consecutive pairs form a cycle through {start}, which no route from the hub can follow")
            if steps > len(successor):
                break


def _distance_matrix(
    hub: Site, dcs: Sequence[DC], spec: DistanceSpec, matrix: np.ndarray | None, matrix_ids: Sequence[str] | None
) -> np.ndarray:
    if spec.metric == "matrix":
        return _reorder_matrix(hub, dcs, matrix, matrix_ids, "distances")
    sites: list[Site | DC] = [hub, *dcs]
    for site in sites:
        if site.x is None or site.y is None:
            raise InputError(f"{site.id}", f"{spec.metric} distances need coordinates for every node; {site.id} has none")
    xs = [float(s.x) for s in sites]  # type: ignore[arg-type]
    ys = [float(s.y) for s in sites]  # type: ignore[arg-type]
    if spec.metric == "haversine":
        if not spec.road_factor > 0:
            raise InputError("distances.road_factor", f"road factor must be > 0, got {spec.road_factor}")
        return haversine_matrix(ys, xs, spec.road_factor)
    if spec.metric == "euclidean":
        return euclidean_matrix(xs, ys, spec.rounding)
    raise InputError("distances.metric", f"unknown metric {spec.metric!r}")


def _reorder_matrix(
    hub: Site, dcs: Sequence[DC], matrix: np.ndarray | None, ids: Sequence[str] | None, where: str
) -> np.ndarray:
    """The matrix given for ``ids`` in node order (hub, then DCs); ``where`` is its field (``distances``)."""
    if matrix is None or ids is None:
        raise InputError(where, "an explicit matrix needs both 'matrix' and 'ids'")
    try:
        m = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}.matrix", f"matrix is not a square table of numbers ({exc})") from None
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{where}.matrix", f"matrix must be square, got shape {m.shape}")
    if m.shape[0] != len(ids):
        raise InputError(f"{where}.ids", f"{len(ids)} ids for a {m.shape[0]}x{m.shape[0]} matrix")
    if len(set(ids)) != len(ids):
        raise InputError(f"{where}.ids", "ids are not unique")
    wanted = [hub.id, *(dc.id for dc in dcs)]
    missing = [node for node in wanted if node not in ids]
    if missing:
        raise InputError(f"{where}.ids", f"no matrix row for {', '.join(missing)}")
    extra = sorted(set(ids) - set(wanted))
    if extra:
        raise InputError(f"{where}.ids", f"matrix rows for unknown ids {', '.join(extra)}")
    if not np.all(np.isfinite(m)) or (m < 0).any():
        i, j = np.argwhere(~np.isfinite(m) | (m < 0))[0]
        raise InputError(f"{where}.matrix", f"entry {ids[i]} -> {ids[j]} is {m[i, j]}; entries must be finite and >= 0")
    order = [list(ids).index(node) for node in wanted]
    return m[np.ix_(order, order)]


def _capacity_warnings(dcs: Sequence[DC], vehicle_types: Sequence[VehicleType]) -> list[str]:
    """A fleet too small for the total demand can never deliver it: say so before anyone solves."""
    if any(vt.count is None or vt.unlimited for vt in vehicle_types):
        return []
    demand = sum(dc.demand for dc in dcs)
    capacity = sum(vt.capacity * vt.count for vt in vehicle_types)
    if demand <= capacity:
        return []
    return [f"total demand {demand:,g} exceeds the fleet's capacity {capacity:,g}: no plan can deliver it"]


def _asymmetry_warnings(d: np.ndarray) -> list[str]:
    if np.allclose(d, d.T, rtol=1e-9, atol=1e-9):
        return []
    return ["the distance matrix is not symmetric; the seed assumes symmetry, the model itself is directed"]


def _split_oversized(
    dcs: Sequence[DC],
    vehicle_types: Sequence[VehicleType],
    forbidden: set[tuple[str, str]],
    consecutive: list[tuple[str, str]],
) -> tuple[list[DC], dict[str, list[str]]]:
    """Split each DC whose demand exceeds the largest allowed capacity into full parts plus a remainder.

    This is the seed's rule: "the additional demand is served by creating a separate node at the same
    location". Parts are named ``DC7/1``, ``DC7/2``, ... and share the DC's location.
    """
    in_pairs = {node for pair in consecutive for node in pair}
    result: list[DC] = []
    splits: dict[str, list[str]] = {}
    for dc in dcs:
        cap = max(vt.capacity for vt in vehicle_types if any((dc.id, n) not in forbidden for n in vt.vehicle_names()))
        if dc.demand <= cap:
            result.append(dc)
            continue
        if dc.id in in_pairs:
            raise InputError("consecutive", f"DC {dc.id} must be split (demand {dc.demand:g} > capacity {cap:g}) and cannot be in a consecutive pair")
        n_parts = math.ceil(dc.demand / cap)
        amounts = [cap] * (n_parts - 1) + [dc.demand - cap * (n_parts - 1)]
        parts = [replace(dc, id=f"{dc.id}/{k}", demand=amount, origin=dc.id) for k, amount in enumerate(amounts, start=1)]
        result.extend(parts)
        splits[dc.id] = [p.id for p in parts]
    return result, splits


def _expand_distance(base: np.ndarray, original: Sequence[DC], split: Sequence[DC]) -> np.ndarray:
    """Give every split part its origin's row and column (parts of one DC are 0 apart)."""
    row_of = {dc.id: k + 1 for k, dc in enumerate(original)}
    order = [0, *(row_of[dc.origin] for dc in split)]
    return base[np.ix_(order, order)].copy()


def _forbidden_for_parts(pairs: set[tuple[str, str]], splits: dict[str, list[str]]) -> frozenset[tuple[str, str]]:
    return frozenset((part, vehicle) for dc, vehicle in pairs for part in splits.get(dc, [dc]))


def _damaged_for_parts(roads: list[tuple[str, str]], splits: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((pa, pb) for a, b in roads for pa in splits.get(a, [a]) for pb in splits.get(b, [b]))
