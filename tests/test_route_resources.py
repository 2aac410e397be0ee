"""Route resources (milp_milkrun/route_resources.py): each resource's steps against a plain loop, the
limits of classes and types against the instance's, and whole-route fits against the independent checker."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from bruteforce import random_tiny_instance
from random_instances import random_side_instance
from time_oracle import random_timed_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.implied import shortest_paths, vehicle_classes
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.io import instance_from_dict, instance_to_dict
from milp_milkrun.limits import exceeds
from milp_milkrun.plan import Plan, Route
from milp_milkrun.route_resources import AdditiveResource, RouteResources

SEEDS = range(12)
LIMIT_EQUATIONS = {"5": "load", "6": "distance", "7": "stops"}
TIME_EQUATIONS = {"15", "16", "17", "18"}


def random_routes(instance: Instance, rng: random.Random, count: int = 30) -> list[tuple[int, ...]]:
    """Random orders of random sets of DCs (node indices), each DC at most once."""
    dcs = list(range(1, instance.n_dcs + 1))
    return [tuple(rng.sample(dcs, rng.randint(1, len(dcs)))) for _ in range(count)]


def plain_amount(instance: Instance, name: str, stops: tuple[int, ...]) -> float:
    """A route's load, stop count or length by a loop over the raw instance."""
    if name == "load":
        return float(sum(instance.demand[s] for s in stops))
    if name == "stops":
        return float(len(stops))
    path = (0, *stops, 0)
    return float(sum(instance.distance[a, b] for a, b in itertools.pairwise(path)))


def plain_limit(vehicle_type: VehicleType, name: str, n_dcs: int) -> float:
    value = {"load": vehicle_type.capacity, "stops": vehicle_type.max_stops, "distance": vehicle_type.max_distance}[
        name
    ]
    if value is None:
        return float(n_dcs) if name == "stops" else math.inf
    return float(value)


@pytest.mark.parametrize("seed", SEEDS)
def test_each_step_of_each_resource_matches_a_plain_loop(seed: int) -> None:
    """start, extend and close over many routes at once (numpy) give the plain loop's amounts; admits
    is the amount so far plus the shortest way home within the limit; within is limits.exceeds."""
    instance = random_side_instance(seed)
    rng = random.Random(seed)
    sp = shortest_paths(instance)
    for vehicle_type in instance.vehicle_types:
        resources = RouteResources.of_type(instance, vehicle_type)
        for resource in (resources.load, resources.stops, resources.distance):
            routes = [r for r in random_routes(instance, rng) if len(r) >= 2]
            first = np.array([r[0] for r in routes])
            used = resource.start(first)
            for position in range(1, max(len(r) for r in routes)):
                going = np.array([len(r) > position for r in routes])
                i = np.array([r[min(position, len(r)) - 1] for r in routes])
                j = np.array([r[position] if len(r) > position else 0 for r in routes])
                used = np.where(going, resource.extend(used, i, j), used)
            last = np.array([r[-1] for r in routes])
            total = resource.close(used, last)
            plain = np.array([plain_amount(instance, resource.name, r) for r in routes])
            assert np.array_equal(total, plain), (resource.name, vehicle_type.name)
            assert [resource.used_by(r) for r in routes] == plain.tolist()
            limit = plain_limit(vehicle_type, resource.name, instance.n_dcs)
            assert resource.limit == limit
            assert resource.within(total).tolist() == [not exceeds(x, limit) for x in plain]
            if resource.name == "distance":  # the distance so far plus the shortest way back
                so_far = plain - np.array([instance.distance[r[-1], 0] for r in routes])
                expected = [not exceeds(x + sp[r[-1], 0], limit) for x, r in zip(so_far, routes)]
                assert resource.admits(so_far, last).tolist() == expected
                assert all(
                    bool(resource.admits(s, e)) or not resource.within(t) for s, e, t in zip(so_far, last, total)
                )


def test_a_resource_needs_a_use() -> None:
    with pytest.raises(ValueError, match="neither"):
        AdditiveResource("nothing", 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_limits_of_classes_and_types_are_the_instances(seed: int) -> None:
    instance = random_side_instance(seed)
    for vc in vehicle_classes(instance):
        resources = RouteResources.of_class(instance, vc)
        assert resources.load.limit == vc.capacity
        assert resources.stops.limit == vc.max_stops
        assert resources.distance.limit == (math.inf if vc.max_distance is None else vc.max_distance)
        assert resources.time is None
    for vt in instance.vehicle_types:
        resources = RouteResources.of_type(instance, vt)
        assert resources.load.limit == vt.capacity
        assert resources.stops.limit == (vt.max_stops if vt.max_stops is not None else instance.n_dcs)
        assert resources.distance.limit == (math.inf if vt.max_distance is None else vt.max_distance)
        assert [r.name for r in resources] == ["load", "stops", "distance"]


def checker_verdicts(instance: Instance, vehicle: str, stops: tuple[int, ...]) -> set[str]:
    """The resources the checker finds over their limit on the route (time as "time")."""
    route = Route(vehicle, tuple(instance.node_ids[s] for s in stops))
    found = set()
    for violation in check_plan(instance, Plan((route,))).violations:
        if violation.equation in LIMIT_EQUATIONS:
            found.add(LIMIT_EQUATIONS[violation.equation])
        elif violation.equation in TIME_EQUATIONS:
            found.add("time")
    return found


def assert_fits_agrees_with_the_checker(instance: Instance, rng: random.Random) -> set[str]:
    """Every resource's and the whole fits agree with the checker on random routes; the names broken."""
    broken: set[str] = set()
    for vehicle in instance.vehicles:
        resources = RouteResources.of_type(instance, vehicle.type)
        for stops in random_routes(instance, rng, 20):
            over = checker_verdicts(instance, vehicle.name, stops)
            ours = {resource.name for resource in resources if not resource.fits(stops)}
            assert ours == over, (vehicle.name, stops)
            assert resources.fits(stops) == (not over)
            broken |= over
    return broken


def test_fits_agrees_with_the_checker_on_random_routes() -> None:
    """Over the seeds the random routes break each limit somewhere, so each verdict is tested both ways."""
    broken: set[str] = set()
    for seed in SEEDS:
        rng = random.Random(seed)
        for draw in (random_tiny_instance, random_side_instance, random_timed_instance):
            broken |= assert_fits_agrees_with_the_checker(draw(seed), rng)
    assert broken == {"load", "stops", "distance", "time"}


@pytest.mark.parametrize("name", ["load", "distance", "stops"])
def test_fits_agrees_with_the_checker_at_and_just_over_each_limit(name: str) -> None:
    """A route exactly at a limit fits; with the limit one unit below its amount it does not, by that
    resource alone."""
    instance = random_tiny_instance(3)
    stops = tuple(range(1, instance.n_dcs + 1))
    amount = plain_amount(instance, name, stops)
    key = {"load": "capacity", "distance": "max_distance", "stops": "max_stops"}[name]
    for limit, fits in ((amount, True), (amount - 1, False)):
        changed = one_roomy_vehicle(instance, key, int(limit) if name == "stops" else limit)
        resources = RouteResources.of_type(changed, changed.vehicle_types[0])
        assert resources.fits(stops) == fits
        assert checker_verdicts(changed, changed.vehicles[0].name, stops) == (set() if fits else {name})


def one_roomy_vehicle(instance: Instance, key: str, limit: float) -> Instance:
    """The instance with one vehicle, without limits but ``key`` = ``limit``, and no forbidden pair."""
    data = instance_to_dict(instance)
    data["vehicle_types"] = [{"name": "roomy", "count": 1, "capacity": 1000.0, key: limit}]
    data["forbidden"] = []
    return instance_from_dict(data)


def test_time_is_one_more_resource() -> None:
    """With time the resources include it, and its steps build the segment route_fits_in_time tests."""
    for seed in range(20):
        instance = random_timed_instance(seed)
        rng = random.Random(seed)
        for vt in instance.vehicle_types:
            resources = RouteResources.of_type(instance, vt)
            clock = resources.time
            assert clock is not None and [r.name for r in resources][-1] == "time"
            for stops in random_routes(instance, rng, 10):
                segment = clock.start(stops[0])
                for i, j in itertools.pairwise(stops):
                    segment = clock.extend(segment, i, j)
                assert clock.within(clock.close(segment, stops[-1])) == clock.fits(stops)
