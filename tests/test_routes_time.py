"""The route engine states time (Eq 15-17): its optimum equals the brute-force oracle's on random tiny
instances with windows (binding and not, several per DC, infeasible ones); its arc elimination keeps
every arc of a route in time; its dominance and exact feasibility test look at the start of service;
it refuses shifts in one clear line; it proves a Solomon instance."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance, shortest_duration

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.instance import Instance, build_instance
from milp_milkrun.io import instance_from_dict, load_instance
from milp_milkrun.plan import Plan, Route
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import _dominated, _Labels
from milp_milkrun.routes.time_network import time_admits, time_network
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.time_segments import route_fits_in_time

SEEDS = range(40)
SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "solomon"


def without_shifts(instance: Instance) -> Instance:
    """The instance with its vehicle types' shifts dropped."""
    return rebuilt(instance, list(instance.dcs), [replace(vt, shift=None) for vt in instance.vehicle_types])


def with_one_window(instance: Instance) -> Instance | None:
    """The instance with every DC's first window only (a shift beside several windows is refused);
    None when a DC is then out of reach."""
    try:
        return rebuilt(
            instance, [replace(dc, windows=dc.windows[:1]) for dc in instance.dcs], list(instance.vehicle_types)
        )
    except InputError:
        return None


def rebuilt(instance: Instance, dcs: list, vehicle_types: list) -> Instance:
    return build_instance(
        name=instance.name,
        hub=instance.hub,
        dcs=dcs,
        vehicle_types=vehicle_types,
        distance_spec=instance.distance_spec,
        forbidden=[{"dc": dc, "vehicle": vehicle} for dc, vehicle in sorted(instance.forbidden)],
        consecutive=instance.consecutive,
        damaged_roads=instance.damaged_roads,
        coordinates=instance.coordinates,
        objective=instance.objective,
        time=instance.time,
    )


def tiny(seed: int, *, costs: bool = False, time: bool = True) -> Instance:
    return without_shifts(random_tiny_instance(seed, costs=costs, time=time))


def solve_routes(instance: Instance):
    return solve(
        instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False), heuristic_start=False
    )


@pytest.mark.parametrize("costs", [False, True], ids=["distance", "cost"])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_route_engine_proves_the_oracle_optimum_with_time(seed: int, costs: bool) -> None:
    instance = tiny(seed, costs=costs)
    expected = brute_force(instance)
    result = solve_routes(instance)
    if expected is None:
        assert result.plan is None and result.status == "infeasible"
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.bound is not None and result.bound <= expected[0] + 1e-6
    assert result.status == "optimal"


def test_the_seeds_cover_binding_windows_several_windows_and_infeasible_instances() -> None:
    """A time-ignoring engine would answer the optimum without time: on binding seeds that is lower."""
    binding = infeasible = several = 0
    for seed in SEEDS:
        instance = tiny(seed)
        with_time, without = brute_force(instance), brute_force(tiny(seed, time=False))
        binding += with_time is not None and without is not None and with_time[0] > without[0] + 1e-9
        infeasible += with_time is None and without is not None
        several += any(len(dc.windows) > 1 for dc in instance.dcs)
    assert binding >= 3 and infeasible >= 1 and several >= 5


def test_arc_elimination_keeps_every_arc_of_a_route_in_time_and_removes_some() -> None:
    removed = 0
    for seed in SEEDS:
        instance = tiny(seed)
        found = brute_force(instance)
        for vt in instance.vehicle_types:
            admits = time_admits(instance, time_network(instance, vt.name), vt.name)
            removed += int((~admits[1:, 1:]).sum())
            if found is None:
                continue
            for route in found[1].used_routes():
                if instance.vehicle_by_name[route.vehicle].type.name != vt.name:
                    continue
                path = [0, *(instance.index[s] for s in route.stops), 0]
                assert all(admits[a, b] for a, b in itertools.pairwise(path)), (seed, route)
    assert removed > 0


@pytest.mark.parametrize("seed", range(20))
def test_route_fits_in_time_agrees_with_the_oracle_on_random_routes(seed: int) -> None:
    instance = tiny(seed)
    rng = random.Random(seed)
    for _ in range(60):
        order = tuple(rng.sample([dc.id for dc in instance.dcs], rng.randint(1, instance.n_dcs)))
        vehicle = rng.choice(instance.vehicles)
        ours = route_fits_in_time(instance, vehicle.type, [instance.index[s] for s in order])
        assert ours == (shortest_duration(instance, vehicle.name, order) is not None), order


def test_the_master_marks_a_route_out_of_time_as_not_plannable() -> None:
    out_of_time = 0
    for seed in SEEDS:
        instance = tiny(seed)
        master = RouteMaster(instance)
        for vc in master.classes:
            nodes = sorted(vc.nodes)
            for order in ((a, b) for a in nodes for b in nodes if a != b):
                if not route_fits_in_time(
                    instance, next(vt for vt in instance.vehicle_types if vt.name == vc.vehicle_type), order
                ):
                    out_of_time += 1
                    assert not master._keeps_every_limit(vc, order), (seed, order)
    assert out_of_time > 0


def test_dominance_needs_an_earlier_clock() -> None:
    """Labels alike but for their clock: one dominates another only if it starts no later, departs no
    earlier at the latest and drives no longer (with a shift; without one the last two are 0)."""
    one = np.array([1])

    def labels(start: float, latest: float = 0.0, drive: float = 0.0) -> _Labels:
        return _Labels(
            np.array([5.0]),
            one,
            np.array([10.0]),
            one,
            one,
            one,
            np.zeros(1, dtype=np.int64),
            np.array([start]),
            np.array([latest]),
            np.array([drive]),
        )

    assert _dominated(labels(200.0), labels(100.0))[0]
    assert not _dominated(labels(100.0), labels(200.0))[0]
    assert not _dominated(labels(100.0, latest=50.0), labels(100.0, latest=40.0))[0]
    assert _dominated(labels(100.0, latest=40.0), labels(100.0, latest=50.0))[0]
    assert not _dominated(labels(100.0, drive=30.0), labels(100.0, drive=40.0))[0]


def test_the_pricing_network_drops_arcs_no_window_admits() -> None:
    instance = tiny(3)
    plain = class_networks(tiny(3, time=False), list(vehicle_classes(tiny(3, time=False))))
    timed = class_networks(instance, list(vehicle_classes(instance)))
    for a, b in zip(plain, timed):
        assert not (b.allowed & ~a.allowed).any()
        assert b.time is not None and a.time is None


def shifted(seed: int, *, costs: bool = False) -> Instance | None:
    """Seed's instance with its shifts and one window per DC, None when it has no shift (or a DC is then out of reach)."""
    instance = random_tiny_instance(seed, costs=costs, time=True)
    if all(vt.shift is None for vt in instance.vehicle_types):
        return None
    return with_one_window(instance)


SHIFT_SEEDS = [seed for seed in range(80) if shifted(seed) is not None]
SHIFT_CASES = [(seed, costs) for costs in (False, True) for seed in range(80) if shifted(seed, costs=costs) is not None]


@pytest.mark.parametrize(("seed", "costs"), SHIFT_CASES)
def test_the_route_engine_proves_the_oracle_optimum_with_shifts(seed: int, costs: bool) -> None:
    instance = shifted(seed, costs=costs)
    assert instance is not None
    expected = brute_force(instance)
    result = solve_routes(instance)
    if expected is None:
        assert result.plan is None and result.status == "infeasible"
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.status == "optimal"


def tight_shift(seed: int) -> Instance | None:
    """Seed's instance (one window per DC) with a shift one minute shorter than the longest route of its
    optimum without shifts, on every type: the shift binds by construction (None when out of reach)."""
    instance = with_one_window(without_shifts(random_tiny_instance(seed, time=True)))
    found = brute_force(instance) if instance is not None else None
    if found is None:
        return None
    longest = max(shortest_duration(instance, r.vehicle, r.stops) for r in found[1].used_routes())
    if longest <= 1:
        return None
    try:
        return rebuilt(instance, list(instance.dcs), [replace(vt, shift=longest - 1) for vt in instance.vehicle_types])
    except InputError:
        return None


TIGHT_SEEDS = [seed for seed in range(40) if tight_shift(seed) is not None]


@pytest.mark.parametrize("seed", TIGHT_SEEDS)
def test_the_route_engine_proves_the_oracle_optimum_under_a_binding_shift(seed: int) -> None:
    instance = tight_shift(seed)
    expected = brute_force(instance)
    result = solve_routes(instance)
    if expected is None:
        assert result.plan is None and result.status == "infeasible"
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.status == "optimal"


def test_the_binding_shifts_change_optima() -> None:
    """Most tight shifts raise the optimum or leave no plan (the others admit another plan of equal value)."""
    changed = sum(
        brute_force(tight_shift(seed)) is None
        or brute_force(tight_shift(seed))[0] > brute_force(without_shifts(tight_shift(seed)))[0] + 1e-9
        for seed in TIGHT_SEEDS
    )
    assert len(TIGHT_SEEDS) >= 15 and changed >= len(TIGHT_SEEDS) // 2


@pytest.mark.parametrize("seed", SHIFT_SEEDS[:20])
def test_route_fits_in_time_agrees_with_the_oracle_on_random_routes_with_shifts(seed: int) -> None:
    instance = shifted(seed)
    assert instance is not None
    rng = random.Random(seed)
    for _ in range(80):
        order = tuple(rng.sample([dc.id for dc in instance.dcs], rng.randint(1, instance.n_dcs)))
        vehicle = rng.choice(instance.vehicles)
        ours = route_fits_in_time(instance, vehicle.type, [instance.index[s] for s in order])
        assert ours == (shortest_duration(instance, vehicle.name, order) is not None), (vehicle.name, order)


def test_a_shift_beside_several_windows_is_refused_in_one_clear_line() -> None:
    for seed in SEEDS:
        instance = random_tiny_instance(seed, time=True)
        if any(vt.shift is not None for vt in instance.vehicle_types) and any(
            len(dc.windows) > 1 for dc in instance.dcs
        ):
            with pytest.raises(InputError) as caught:
                solve_routes(instance)
            assert caught.value.field.endswith(".shift") and "shift" in str(caught.value)
            return
    pytest.fail("no seed has a shift")


@pytest.mark.skipif(not (SOLOMON / "C101.txt").exists(), reason="../shared/solomon is not available")
def test_solomon_c101_25_is_proven_at_the_published_value() -> None:
    import json

    instance = load_instance(SOLOMON / "C101.txt", variant="25")
    result = solve(instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(
        json.loads((SOLOMON / "optima.json").read_text())["25"]["C101"]["value"], abs=1e-6
    )


@pytest.mark.parametrize("seed", range(8))
def test_auto_hands_an_instance_with_time_to_the_route_engine_only(seed: int) -> None:
    """Even at a size where auto would pick the exact model (which does not state time), and with the
    heuristic start on (the heuristic does not state time either)."""
    instance = tiny(seed)
    expected = brute_force(instance)
    result = solve(instance, model="auto", options=SolveOptions(time_limit=60, gap=0.0, log=False))
    assert result.model == "routes"
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-6)


def dominance_trap() -> Instance:
    """One van, four DCs (1 unit = 1 minute). At X, the path A -> B -> X is shorter than B -> A -> X
    over the same DCs but starts service later (121 against 105: A opens at 100), too late for D
    (closes at 113). The only best route is B A X D; a dominance ignoring time keeps A B X and answers
    X B A D (54.72) instead (checked by hand with a pricing whose dominance drops the time test)."""
    return instance_from_dict(
        {
            "name": "dominance-trap",
            "hub": {"id": "H", "x": 0, "y": 0},
            "dcs": [
                {"id": "A", "x": 10, "y": 0, "demand": 1, "windows": [[100, 104]]},
                {"id": "B", "x": 20, "y": 0, "demand": 1},
                {"id": "X", "x": 10, "y": 5, "demand": 1},
                {"id": "D", "x": 5, "y": 10, "demand": 1, "windows": [[105, 113]]},
            ],
            "vehicle_types": [{"name": "van", "count": 1, "capacity": 10}],
            "distances": {"metric": "euclidean"},
            "time": {"hub_hours": [0, 1000], "speed": 60},
        }
    )


def test_a_cheaper_later_label_does_not_hide_the_optimum() -> None:
    instance = dominance_trap()
    first, second = (
        check_plan(instance, Plan((Route("van-1", order),))) for order in (("A", "B", "X"), ("B", "A", "X"))
    )
    assert first.distance < second.distance  # the same DCs, cheaper ...
    assert first.routes[0].schedule.stops[-1].start > second.routes[0].schedule.stops[-1].start  # ... but later
    expected = brute_force(instance)
    assert expected is not None and expected[1].used_routes()[0].stops == ("B", "A", "X", "D")
    result = solve_routes(instance)
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-9)
    assert result.plan.used_routes()[0].stops == ("B", "A", "X", "D")


def test_a_cost_per_hour_is_refused_by_the_route_engine_and_auto_answers_with_the_exact_model() -> None:
    base = next(i for i in (random_tiny_instance(seed, time=True) for seed in SEEDS) if brute_force(i) is not None)
    priced = rebuilt(base, list(base.dcs), [replace(vt, cost_per_hour=30.0, shift=None) for vt in base.vehicle_types])
    with pytest.raises(InputError) as error:
        solve(priced, model="routes", options=SolveOptions(time_limit=10, objective="cost"))
    assert error.value.field.endswith("cost_per_hour")
    result = solve(priced, options=SolveOptions(time_limit=20, objective="cost"))
    assert result.model == "exact" and result.status == "optimal" and result.check is not None
