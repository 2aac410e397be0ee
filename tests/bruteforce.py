"""An independent brute-force optimum for tiny instances, and a generator of such instances.

It shares nothing with the models: it enumerates every partition of the DCs into routes, every order
within a route and every assignment of routes to distinct vehicles, and applies the rules of the
problem statement directly; route costs come from the raw vehicle types and emissions from the ISO
14083 report, never from ``milp_milkrun.objectives``. Exponential, so only for instances of at most 7 DCs.

With time, a route is driven only when some departure meets every window, the hub's hours and the
shift (Eq 15-18, docs/formats.md). The oracle finds that out by trying every whole-minute departure
from the hub's opening on (its instances have whole-minute data, so the shortest schedule departs on
a whole minute), not by the checker's reasoning about candidate departures.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import replace

from milp_milkrun.emissions.accounting import plan_emissions
from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.plan import Plan, Route
from milp_milkrun.timing import TimeSpec

MAX_DCS = 7


def set_partitions(items: list[str]) -> Iterator[list[list[str]]]:
    """Every partition of ``items`` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for k in range(len(partition)):
            yield [*partition[:k], [first, *partition[k]], *partition[k + 1 :]]


RouteValue = Callable[[Instance, str, tuple[str, ...], float], float]  # (instance, vehicle, order, length) -> value


def _route_value(objective: str, factors: EmissionFactors | None) -> RouteValue:
    """The value of one route, from the raw instance (shares nothing with milp_milkrun.objectives)."""
    if objective == "distance":
        return lambda instance, vehicle, order, length: length
    if objective == "cost":

        def cost(instance: Instance, vehicle: str, order: tuple[str, ...], length: float) -> float:
            vt = instance.vehicle_by_name[vehicle].type
            return vt.fixed_cost + vt.cost_per_km * length

        return cost
    assert objective == "emissions" and factors is not None
    return lambda instance, vehicle, order, length: (
        plan_emissions(instance, Plan((Route(vehicle, order),)), factors).kg_co2e_wtw
    )


def _orders(instance: Instance, block: list[str]) -> list[tuple[float, tuple[str, ...]]]:
    """Every order of a block that uses no damaged road and keeps every consecutive pair adjacent, with its length."""
    hub = instance.hub.id
    in_block = set(block)
    pairs = instance.consecutive
    if any((a in in_block) != (b in in_block) for a, b in pairs):
        return []  # a consecutive pair split across routes
    found = []
    for order in itertools.permutations(block):
        path = [hub, *order, hub]
        arcs = list(zip(path, path[1:]))
        if any(instance.is_damaged(a, b) for a, b in arcs):
            continue
        successor = dict(arcs)
        if any(a in in_block and successor[a] != b for a, b in pairs):
            continue
        found.append((sum(instance.dist(a, b) for a, b in arcs), order))
    return found


def shortest_duration(instance: Instance, vehicle_name: str, order: tuple[str, ...]) -> float | None:
    """The shortest duration of the route over every whole-minute departure that meets every window
    and the hub's hours, or None when no departure does or the shortest breaks the shift (0 without time)."""
    if instance.hub_hours is None:
        return 0.0
    vehicle_type = instance.vehicle_by_name[vehicle_name].type
    travel = instance.travel_time(vehicle_type)
    opens, closes = instance.hub_hours
    best = None
    for departure in range(math.ceil(opens), math.floor(closes) + 1):
        finish = _finish(instance, travel, order, departure)
        if finish is None or finish > closes:
            break  # leaving later never arrives earlier
        best = finish - departure if best is None else min(best, finish - departure)
    if best is None or (vehicle_type.shift is not None and best > vehicle_type.shift):
        return None
    return best


def _finish(instance: Instance, travel: object, order: tuple[str, ...], departure: float) -> float | None:
    """The return time leaving at ``departure`` (waiting for a window to open), None when a stop is
    reached after every window of it has closed."""
    now, here = float(departure), 0
    for stop in order:
        there = instance.index[stop]
        now += travel[here, there]  # type: ignore[index]
        starts = [max(now, opens) for opens, closes in instance.windows[there] if now <= closes]
        if not starts:
            return None
        now, here = min(starts) + instance.service_time[there], there
    return now + travel[here, 0]  # type: ignore[index]


def _vehicle_can_drive(instance: Instance, vehicle_name: str, block: list[str], length: float) -> bool:
    vehicle = instance.vehicle_by_name[vehicle_name]
    load = sum(instance.demand[instance.index[s]] for s in block)
    if load > vehicle.capacity + 1e-9:
        return False
    if vehicle.max_stops is not None and len(block) > vehicle.max_stops:
        return False
    if vehicle.max_distance is not None and length > vehicle.max_distance + 1e-9:
        return False
    return all(instance.is_allowed(s, vehicle_name) for s in block)


def _identical_vehicles(instance: Instance) -> list[list[str]]:
    """Vehicles that are interchangeable: same type and same forbidden DCs."""
    groups: dict[tuple[str, frozenset[str]], list[str]] = {}
    for v in instance.vehicles:
        banned = frozenset(dc.id for dc in instance.dcs if not instance.is_allowed(dc.id, v.name))
        groups.setdefault((v.type.name, banned), []).append(v.name)
    return list(groups.values())


def brute_force(
    instance: Instance, objective: str | None = None, factors: EmissionFactors | None = None
) -> tuple[float, Plan] | None:
    """The optimal value and one optimal plan, or None when no plan exists.

    ``objective`` is distance, cost or emissions (None: the instance's own); emissions need ``factors``.
    Every partition of the DCs into routes, every group of identical vehicles for each route and
    every order within it are tried.
    """
    value = _route_value(objective or instance.objective, factors)
    dcs = [dc.id for dc in instance.dcs]
    assert len(dcs) <= MAX_DCS, "brute force is for tiny instances only"
    groups = _identical_vehicles(instance)
    memo: dict[tuple[frozenset[str], int], tuple[float, tuple[str, ...]] | None] = {}
    orders: dict[frozenset[str], list[tuple[float, tuple[str, ...]]]] = {}

    def best_route(block: list[str], g: int) -> tuple[float, tuple[str, ...]] | None:
        key = (frozenset(block), g)
        if key not in memo:
            if key[0] not in orders:
                orders[key[0]] = _orders(instance, block)
            vehicle = groups[g][0]
            options = [
                (value(instance, vehicle, order, length), order)
                for length, order in orders[key[0]]
                if _vehicle_can_drive(instance, vehicle, block, length)
                and shortest_duration(instance, vehicle, order) is not None
            ]
            memo[key] = min(options, key=lambda o: o[0]) if options else None
        return memo[key]

    best: tuple[float, Plan] | None = None
    for partition in set_partitions(dcs):
        if len(partition) > len(instance.vehicles):
            continue
        for choice in itertools.product(range(len(groups)), repeat=len(partition)):
            if any(choice.count(g) > len(groups[g]) for g in set(choice)):
                continue
            routes = [best_route(block, g) for block, g in zip(partition, choice)]
            if any(r is None for r in routes):
                continue
            total = sum(r[0] for r in routes)  # type: ignore[index]
            if best is None or total < best[0] - 1e-9:
                used = {g: iter(groups[g]) for g in set(choice)}
                plan = Plan(tuple(Route(next(used[g]), r[1]) for g, r in zip(choice, routes)))  # type: ignore[index]
                best = (total, plan)
    return best


def random_tiny_instance(
    seed: int, n_dcs: int | None = None, *, costs: bool = False, unlimited: bool = False, time: bool = False
) -> Instance:
    """A random instance of 3..6 DCs with two vehicle types and one of each side constraint.

    Limits are drawn around what the DCs need, so some instances bind each constraint and some
    are infeasible; distances are EUC_2D rounded to integers so optima compare exactly. ``costs``
    gives the types fixed costs and costs per km and makes cost the objective; ``unlimited`` makes
    the small type unlimited (fleet size and mix). ``time`` adds whole-minute time (see
    :func:`_with_time`).
    """
    rng = random.Random(seed)
    n = n_dcs or rng.randint(3, 6)
    ids = [f"D{k}" for k in range(1, n + 1)]
    dcs = [DC(i, rng.randint(1, 9), rng.randint(0, 60), rng.randint(0, 60)) for i in ids]
    total = sum(dc.demand for dc in dcs)
    big_capacity = rng.randint(max(9, math.ceil(total / 2)), max(10, total))
    big = VehicleType(
        "big", rng.randint(1, 2), big_capacity, rng.choice([None, rng.randint(120, 240)]), rng.choice([None, 3, 4])
    )
    small = VehicleType(
        "small", rng.randint(1, 2), rng.randint(9, max(10, total // 2)), rng.choice([None, 160]), rng.choice([None, 2])
    )
    a, b, c, d = rng.sample(ids, 4) if n >= 4 else (*rng.sample(ids, 3), ids[0])
    forbidden = [{"dc": c, "vehicle_type": "big"}] if rng.random() < 0.7 else []
    consecutive = [[a, b]] if rng.random() < 0.7 else []
    damaged = [[b, d] if d not in (a, b) else ["H", d]] if rng.random() < 0.7 else []
    if costs:
        big = replace(big, fixed_cost=rng.randint(0, 120), cost_per_km=rng.choice([1.0, 1.5, 2.0]))
        small = replace(small, fixed_cost=rng.randint(0, 60), cost_per_km=rng.choice([0.5, 1.0, 1.25]))
    if unlimited:
        small = replace(small, count=None)
    time_spec = None
    if time:
        dcs, big, small, time_spec = _with_time(rng, dcs, big, small)

    def build(dcs: list[DC]) -> Instance:
        return build_instance(
            name=f"tiny-{seed}",
            hub=Site("H", 30, 30),
            dcs=dcs,
            vehicle_types=[big, small],
            distance_spec=DistanceSpec("euclidean", rounding="nearest"),
            forbidden=forbidden,
            consecutive=consecutive,
            damaged_roads=damaged,
            coordinates="xy",
            distance_unit="units",
            objective="cost" if costs else "distance",
            time=time_spec,
        )

    while True:
        try:
            return build(dcs)
        except InputError as error:  # a DC no route reaches in its windows: it loses them
            if not error.field.endswith(".windows"):
                raise
            k = int(error.field.split("[")[1].split("]")[0])
            dcs = [replace(dc, windows=()) if i == k else dc for i, dc in enumerate(dcs)]


def _with_time(
    rng: random.Random, dcs: list[DC], big: VehicleType, small: VehicleType
) -> tuple[list[DC], VehicleType, VehicleType, TimeSpec]:
    """Whole-minute time: hub hours from 0 to 300-480, service 0-15 min (some per unit), zero to two
    windows per DC of 30-180 min (binding or not), the big type at 30 units/h (2 min per unit) and the
    small at 60 (the instance's speed), and sometimes a shift of 200-400 min on either type."""
    timed = []
    for dc in dcs:
        n_windows = rng.choice([0, 0, 1, 2])
        opens = sorted(rng.sample(range(0, 300, 10), n_windows))
        windows: list[tuple[float, float]] = []
        for a in opens:
            if windows and a <= windows[-1][1]:
                continue
            windows.append((float(a), float(a + rng.choice([30, 60, 120, 180]))))
        service = float(rng.choice([0, 5, 10, 15]))
        per_unit = float(rng.choice([0, 0, 1]))
        timed.append(replace(dc, windows=tuple(windows), service=service, service_per_unit=per_unit))
    big = replace(big, speed=30.0, shift=rng.choice([None, float(rng.randint(20, 40) * 10)]))
    small = replace(small, shift=rng.choice([None, float(rng.randint(20, 40) * 10)]))
    return timed, big, small, TimeSpec(0.0, float(rng.choice([300, 420, 480])), speed=60.0)
