"""The heuristic with time (Eq 15-18): the segment test agrees with a direct simulation on every route
order, every route the search writes keeps to the windows, the hub's hours and the shift, its plans
equal the brute force on random tiny instances, and its plan is the MIP start of the exact models."""

from __future__ import annotations

import itertools
import random

import pytest
from bruteforce import brute_force, random_tiny_instance
from time_oracle import _drives_in_time, assert_heuristic_matches, brute_force_time, random_timed_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.heuristics.problem import compile_problem
from milp_milkrun.heuristics.solution import Solution
from milp_milkrun.heuristics.solver import solve_heuristic
from milp_milkrun.heuristics.time_feasibility import remember, time_mask
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan, Route
from milp_milkrun.solve import solve
from milp_milkrun.time_segments import route_fits_in_time, route_times

SEEDS = range(14)


@pytest.mark.parametrize("seed", range(8))
def test_segments_agree_with_a_direct_simulation_on_every_route_order(seed: int) -> None:
    instance = random_timed_instance(seed)
    p = compile_problem(instance)
    assert p.time is not None
    ids = [dc.id for dc in instance.dcs]
    checked = feasible = 0
    for size in range(1, min(4, len(ids)) + 1):
        for order in itertools.permutations(ids, size):
            units = [p.units.index((instance.index[dc],)) for dc in order]
            mask = time_mask(p.time, units)
            for v, vehicle in enumerate(instance.vehicles):
                expected = _drives_in_time(instance, vehicle.name, order)
                assert bool(mask >> v & 1) == expected, (order, vehicle.name)
                assert route_fits_in_time(instance, vehicle.type, [instance.index[dc] for dc in order]) == expected
                report = check_plan(instance, Plan((Route(vehicle.name, order),)))  # the checker's time verdict too
                late = any(violation.equation in ("16", "17", "18") for violation in report.violations)
                assert late != expected
                checked += 1
                feasible += expected
    assert 0 < feasible < checked  # both verdicts occur


@pytest.mark.parametrize("seed", range(6))
def test_remembered_prefixes_and_suffixes_give_the_same_verdicts(seed: int) -> None:
    """time_mask starting from remembered routes equals the verdict from scratch on random routes that
    share prefixes and suffixes with them."""
    instance = random_timed_instance(seed, n_dcs=7)
    remembering, fresh = compile_problem(instance).time, compile_problem(instance).time
    assert remembering is not None and fresh is not None
    rng = random.Random(seed)
    held = [rng.sample(range(1, 8), rng.randint(2, 7)) for _ in range(3)]
    for route in held:
        remember(remembering, route)
    shared = 0
    for _ in range(300):
        route = list(rng.choice(held))
        k = rng.randrange(len(route))
        unit = route.pop(k)
        if rng.random() < 0.7:  # relocate it, else drop it
            route.insert(rng.randrange(len(route) + 1), unit)
        if not route:
            continue
        shared += route[0] in remembering.prefixes or route[-1] in remembering.suffixes
        assert time_mask(remembering, route) == time_mask(fresh, route), route
        if rng.random() < 0.2:
            remember(remembering, route)
            held.append(route)
    assert shared > 100 and not fresh.prefixes and not fresh.suffixes


@pytest.mark.parametrize("seed", range(6))
def test_the_schedule_of_a_feasible_route_is_the_checkers(seed: int) -> None:
    """route_times departs when the route is shortest and starts each service as early as it can:
    the same times as the independent checker's schedule."""
    instance = random_timed_instance(seed)
    best = brute_force_time(instance)
    if best is None:
        pytest.skip("no plan")
    report = check_plan(instance, best[1])
    for route, checked in zip(best[1].used_routes(), report.routes):
        times = route_times(
            instance, instance.vehicle_by_name[route.vehicle].type, [instance.index[s] for s in route.stops]
        )
        assert times is not None and checked.schedule is not None
        assert times.return_time - times.departure == pytest.approx(checked.schedule.duration)
        assert list(times.starts) == pytest.approx([s.start for s in checked.schedule.stops])


@pytest.mark.parametrize("priced", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_route_the_search_writes_is_feasible_in_time(
    seed: int, priced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each route a move, an insertion or a split writes is checked by the independent simulation;
    ``priced`` (fixed, per-km and per-hour costs) runs the typed search: fleet moves, the giant-tour split."""
    instance = random_timed_instance(seed, priced=priced)
    written = []
    original = Solution._write

    def checked_write(self: Solution, route, units, vehicle):  # type: ignore[no-untyped-def]
        name = self.p.vehicle_names[vehicle]
        assert _drives_in_time(instance, name, self.p.stops_of(units)), (name, self.p.stops_of(units))
        written.append(name)
        return original(self, route, units, vehicle)

    monkeypatch.setattr(Solution, "_write", checked_write)
    result = solve_heuristic(instance, time_limit=20.0, max_iterations=200, seed=seed)
    expected = brute_force_time(instance)
    assert_heuristic_matches(instance, result, expected)
    assert written or expected is None


@pytest.mark.parametrize("variant", ["distance", "cost and unlimited"])
@pytest.mark.parametrize("seed", range(8))
def test_the_heuristic_equals_the_shared_oracle_with_side_constraints_and_time(variant: str, seed: int) -> None:
    """Consecutive pairs (units of several DCs), forbidden pairs, damaged roads, two speeds; the second
    variant prices fixed and per-km costs of an unlimited type (the typed search)."""
    priced = variant != "distance"
    instance = random_tiny_instance(seed, time=True, costs=priced, unlimited=priced)
    result = solve_heuristic(instance, time_limit=20.0, max_iterations=300, seed=seed)
    assert_heuristic_matches(instance, result, brute_force(instance))


def test_the_heuristic_plan_starts_the_exact_models() -> None:
    instance = random_timed_instance(4)
    expected = brute_force_time(instance)
    assert expected is not None
    for backend in ("highs", "pulp"):
        result = solve(instance, model="exact", backend=backend, options=SolveOptions(time_limit=20))
        assert "warm start from the heuristic" in result.message
        assert "warm start ignored" not in result.message
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


@pytest.mark.parametrize("seed", range(8))
def test_the_heuristic_prices_a_cost_per_hour_of_duration(seed: int) -> None:
    instance = random_timed_instance(seed, priced=True)
    expected = brute_force_time(instance)
    result = solve_heuristic(instance, time_limit=20.0, max_iterations=300, seed=seed)
    if expected is None:
        assert result.plan is None
        return
    assert result.objective == pytest.approx(expected[0])
