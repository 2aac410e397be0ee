"""An independent brute-force optimum for tiny instances, and a generator of such instances.

It shares nothing with the models: it enumerates every partition of the DCs into routes, every order
within a route and every assignment of routes to distinct vehicles, and applies the rules of the
problem statement directly. Exponential, so only for instances of at most 7 DCs.

It minimises the instance's objective: the distance, or with ``objective == "cost"`` the sum over used
routes of the type's ``fixed_cost + cost_per_km * length`` (read from the vehicle types directly).
Vehicles that are interchangeable (same type, same allowed DCs) are assigned as a group, which keeps
unlimited types (as many vehicles as DCs) tractable.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import replace

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.plan import Plan, Route

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


def _best_order(instance: Instance, block: list[str]) -> tuple[float, tuple[str, ...]] | None:
    """Shortest order of a block that uses no damaged road and keeps every consecutive pair adjacent."""
    hub = instance.hub.id
    in_block = set(block)
    pairs = instance.consecutive
    if any((a in in_block) != (b in in_block) for a, b in pairs):
        return None  # a consecutive pair split across routes
    best: tuple[float, tuple[str, ...]] | None = None
    for order in itertools.permutations(block):
        path = [hub, *order, hub]
        arcs = list(zip(path, path[1:]))
        if any(instance.is_damaged(a, b) for a, b in arcs):
            continue
        successor = dict(arcs)
        if any(a in in_block and successor[a] != b for a, b in pairs):
            continue
        length = sum(instance.dist(a, b) for a, b in arcs)
        if best is None or length < best[0] - 1e-12:
            best = (length, order)
    return best


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


def _route_value(instance: Instance, vehicle_name: str, length: float) -> float:
    if instance.objective == "distance":
        return length
    vehicle_type = instance.vehicle_by_name[vehicle_name].type
    return vehicle_type.fixed_cost + vehicle_type.cost_per_km * length


def _vehicle_groups(instance: Instance) -> list[list[str]]:
    """Vehicles grouped so that any two of a group may swap routes: same type, same allowed DCs."""
    groups: dict[tuple[str, frozenset[str]], list[str]] = {}
    for v in instance.vehicles:
        allowed = frozenset(dc.id for dc in instance.dcs if instance.is_allowed(dc.id, v.name))
        groups.setdefault((v.type.name, allowed), []).append(v.name)
    return list(groups.values())


def _assignments(groups: list[list[str]], n_routes: int) -> Iterator[tuple[str, ...]]:
    """Every way to give n routes distinct vehicles, up to swapping vehicles within a group."""
    def extend(prefix: tuple[str, ...], used: list[int]) -> Iterator[tuple[str, ...]]:
        if len(prefix) == n_routes:
            yield prefix
            return
        for g, group in enumerate(groups):
            if used[g] < len(group):
                used[g] += 1
                yield from extend((*prefix, group[used[g] - 1]), used)
                used[g] -= 1

    yield from extend((), [0] * len(groups))


def brute_force(instance: Instance) -> tuple[float, Plan] | None:
    """The optimal objective value and one optimal plan, or None when no plan exists."""
    dcs = [dc.id for dc in instance.dcs]
    assert len(dcs) <= MAX_DCS, "brute force is for tiny instances only"
    groups = _vehicle_groups(instance)
    n_vehicles = len(instance.vehicles)
    orders: dict[frozenset[str], tuple[float, tuple[str, ...]] | None] = {}
    best: tuple[float, Plan] | None = None
    for partition in set_partitions(dcs):
        if len(partition) > n_vehicles:
            continue
        routes = []
        for block in partition:
            key = frozenset(block)
            if key not in orders:
                orders[key] = _best_order(instance, block)
            routes.append(orders[key])
        if any(r is None for r in routes):
            continue
        for assignment in _assignments(groups, len(partition)):
            if not all(
                _vehicle_can_drive(instance, v, block, r[0])  # type: ignore[index]
                for v, block, r in zip(assignment, partition, routes)
            ):
                continue
            total = sum(_route_value(instance, v, r[0]) for v, r in zip(assignment, routes))  # type: ignore[index]
            if best is None or total < best[0] - 1e-9:
                plan = Plan(tuple(Route(v, r[1]) for v, r in zip(assignment, routes)))  # type: ignore[index]
                best = (total, plan)
    return best


def random_tiny_instance(seed: int, n_dcs: int | None = None, *, costs: bool = False) -> Instance:
    """A random instance of 3..6 DCs with two vehicle types and one of each side constraint.

    Limits are drawn around what the DCs need, so some instances bind each constraint and some
    are infeasible; distances are EUC_2D rounded to integers so optima compare exactly. With
    ``costs`` the objective is the cost: integer fixed costs and per-km rates per type (the larger
    type dearer per km), and a third, small type with an unlimited count.
    """
    rng = random.Random(seed)
    n = n_dcs or rng.randint(3, 6)
    ids = [f"D{k}" for k in range(1, n + 1)]
    dcs = [DC(i, rng.randint(1, 9), rng.randint(0, 60), rng.randint(0, 60)) for i in ids]
    total = sum(dc.demand for dc in dcs)
    big_capacity = rng.randint(max(9, math.ceil(total / 2)), max(10, total))
    vehicle_types = [
        VehicleType("big", rng.randint(1, 2), big_capacity, rng.choice([None, rng.randint(120, 240)]), rng.choice([None, 3, 4])),
        VehicleType("small", rng.randint(1, 2), rng.randint(9, max(10, total // 2)), rng.choice([None, 160]), rng.choice([None, 2])),
    ]
    if costs:
        vehicle_types = [
            replace(vehicle_types[0], fixed_cost=rng.randint(0, 60), cost_per_km=rng.choice([1, 2])),
            replace(vehicle_types[1], fixed_cost=rng.randint(0, 40), cost_per_km=1),
            VehicleType("van", None, rng.randint(5, 12), None, rng.choice([None, 2]), fixed_cost=rng.randint(10, 50), cost_per_km=1),
        ]
    a, b, c, d = rng.sample(ids, 4) if n >= 4 else (*rng.sample(ids, 3), ids[0])
    return build_instance(
        name=f"tiny-{seed}",
        hub=Site("H", 30, 30),
        dcs=dcs,
        vehicle_types=vehicle_types,
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[{"dc": c, "vehicle_type": "big"}] if rng.random() < 0.7 else [],
        consecutive=[[a, b]] if rng.random() < 0.7 else [],
        damaged_roads=[[b, d] if d not in (a, b) else ["H", d]] if rng.random() < 0.7 else [],
        coordinates="xy",
        distance_unit="units",
        objective="cost" if costs else "distance",
    )
