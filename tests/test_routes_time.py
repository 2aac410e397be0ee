"""The route engine states time (Eq 15-18): its optimum equals the brute-force oracle's on random tiny
instances with windows (binding and not, several per DC, infeasible ones), shifts beside several
windows and a cost per hour of route duration; its arc elimination keeps every arc of a route in time
and within the shift; its dominance and exact feasibility test look at the start of service and, with
a shift or a cost per hour, at one label per window; it proves a Solomon instance."""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance, shortest_duration
from time_oracle import brute_force_time, random_timed_instance
from timed_instances import dominance_trap, rebuilt, without_shifts

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict, load_instance
from milp_milkrun.objectives import route_costs
from milp_milkrun.plan import Plan, Route
from milp_milkrun.routes.clocks import first_clocks, window_copies
from milp_milkrun.routes.dominance import dominated
from milp_milkrun.routes.enumeration import enumerate_routes
from milp_milkrun.routes.labels import Labels
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import price
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.time_network import time_admits, time_network
from milp_milkrun.routes.tree import BranchAndPrice
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.strong import bound_without_time, cut_loop_fits
from milp_milkrun.time_segments import route_fits_in_time

SEEDS = range(40)
SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "solomon"


def with_one_window(instance: Instance) -> Instance | None:
    """The instance with every DC's first window only; None when a DC is then out of reach."""
    try:
        return rebuilt(
            instance, [replace(dc, windows=dc.windows[:1]) for dc in instance.dcs], list(instance.vehicle_types)
        )
    except InputError:
        return None


def tiny(seed: int, *, costs: bool = False, time: bool = True) -> Instance:
    return without_shifts(random_tiny_instance(seed, costs=costs, time=time))


def solve_routes(instance: Instance):
    return solve(
        instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False), heuristic_start=False
    )


def assert_route_engine_matches(instance: Instance, expected: tuple[float, Plan] | None) -> None:
    """The route engine proves the oracle's answer: its optimum (a checked plan, a bound no higher), or
    that there is no plan."""
    result = solve_routes(instance)
    if expected is None:
        assert result.plan is None and result.status == "infeasible"
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.bound is not None and result.bound <= expected[0] + 1e-6
    assert result.status == "optimal"


def assert_auto_answers_by_the_route_engine(instance: Instance, expected: tuple[float, Plan] | None) -> None:
    """``--model auto`` hands the instance to the route engine, which proves the oracle's answer."""
    result = solve(instance, model="auto", options=SolveOptions(time_limit=60, gap=0.0, log=False))
    assert result.model == "routes"
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-6)


@pytest.mark.parametrize("costs", [False, True], ids=["distance", "cost"])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_route_engine_proves_the_oracle_optimum_with_time(seed: int, costs: bool) -> None:
    instance = tiny(seed, costs=costs)
    expected = brute_force(instance)
    assert_route_engine_matches(instance, expected)


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

    def labels(start: float, latest: float = 0.0, drive: float = 0.0) -> Labels:
        return Labels(
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

    assert dominated(labels(200.0), labels(100.0))[0]
    assert not dominated(labels(100.0), labels(200.0))[0]
    assert not dominated(labels(100.0, latest=50.0), labels(100.0, latest=40.0))[0]
    assert dominated(labels(100.0, latest=40.0), labels(100.0, latest=50.0))[0]
    assert not dominated(labels(100.0, drive=30.0), labels(100.0, drive=40.0))[0]


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
    assert_auto_answers_by_the_route_engine(instance, brute_force(instance))


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


TIMED_CASES = [(seed, priced) for priced in (False, True) for seed in range(40)]


@pytest.mark.parametrize(("seed", "priced"), TIMED_CASES)
def test_the_route_engine_proves_the_time_oracle_optimum_with_shifts_beside_several_windows(
    seed: int, priced: bool
) -> None:
    """time_oracle's instances: none, one or two windows a DC, shifts that bind, and (priced) a cost per
    hour of route duration that differs by type."""
    instance = random_timed_instance(seed, priced=priced)
    expected = brute_force_time(instance)
    assert_route_engine_matches(instance, expected)


def test_the_timed_cases_cover_shifts_beside_several_windows_costs_per_hour_and_infeasible_ones() -> None:
    both = infeasible = hourly = 0
    for seed, priced in TIMED_CASES:
        instance = random_timed_instance(seed, priced=priced)
        shift = any(vt.shift is not None for vt in instance.vehicle_types)
        both += shift and any(len(dc.windows) > 1 for dc in instance.dcs)
        infeasible += brute_force_time(instance) is None
        hourly += any(vt.cost_per_hour for vt in instance.vehicle_types)
    assert both >= 20 and infeasible >= 4 and hourly == 40


def window_trap(*, shift: float | None, per_hour: float = 0.0) -> Instance:
    """Two vans, two DCs in a line (1 unit = 1 minute). A has two windows, 10-20 and 100-105; B one,
    100-110; B -> A arrives too late at A.  Served in A's first window, the route A B waits at B until
    100 and lasts 120 minutes; leaving at 90 for A's second window it lasts 40, the length of the route
    (each DC alone: 20 + 40).  A clock that keeps only the earliest window at A (or a dominance that
    lets that copy drop the later one: it starts earlier but may depart no later than 10) sees only the
    120-minute schedule, and so prices A B above serving each DC alone."""
    return instance_from_dict(
        {
            "name": "window-trap",
            "hub": {"id": "H", "x": 0, "y": 0},
            "dcs": [
                {"id": "A", "x": 10, "y": 0, "demand": 1, "windows": [[10, 20], [100, 105]]},
                {"id": "B", "x": 20, "y": 0, "demand": 1, "windows": [[100, 110]]},
            ],
            "vehicle_types": [
                {"name": "van", "count": 2, "capacity": 10, "cost_per_hour": per_hour}
                | ({"shift": shift} if shift is not None else {})
            ],
            "distances": {"metric": "euclidean"},
            "time": {"hub_hours": [0, 1000], "speed": 60},
            "objective": "cost" if per_hour else "distance",
        }
    )


def test_a_shift_needs_the_later_window_of_a_dc_with_two() -> None:
    instance = window_trap(shift=45)
    expected = brute_force_time(instance)
    assert expected is not None and expected[0] == 40.0 and expected[1].used_routes()[0].stops == ("A", "B")
    result = solve_routes(instance)
    assert result.status == "optimal" and result.objective == pytest.approx(40.0)


def test_a_cost_per_hour_waits_for_the_later_window_of_a_dc_with_two() -> None:
    """Cost: 40 km + 40 minutes at 60 an hour = 80; the earliest windows would cost 40 + 120 = 160, and
    each DC alone 40 + 80 = 120."""
    instance = window_trap(shift=None, per_hour=60.0)
    expected = brute_force_time(instance)
    assert expected is not None and expected[0] == pytest.approx(80.0)
    result = solve_routes(instance)
    assert result.status == "optimal" and result.objective == pytest.approx(80.0)
    assert result.bound == pytest.approx(80.0)


def test_the_pricing_and_the_enumeration_charge_the_shortest_duration_over_the_window_copies() -> None:
    """Under a dual of 100 on each DC, A B's reduced cost is its value 80 (its 40-minute schedule, as the
    master prices it) - 200, the least of every route; neither the pricing nor the enumeration takes it
    at 160."""
    instance = window_trap(shift=None, per_hour=60.0)
    costs = route_costs(instance)
    net = class_networks(instance, list(vehicle_classes(instance)), [costs.rates["van"]])[0]
    arc_cost = instance.distance.astype(float)
    arc_cost[:, 1:] -= 100.0
    priced = price(net, arc_cost, 0.0, exact=True, max_routes=100)
    assert priced.routes[0].stops == (1, 2) and priced.minimum == pytest.approx(80.0 - 200.0)
    assert costs.route_of_type(instance.vehicle_types[0], (1, 2)) == pytest.approx(80.0)
    assert (1, 2) in enumerate_routes(net, arc_cost, 0.0, 80.5 - 200.0, max_labels=1000)
    assert (1, 2) not in enumerate_routes(net, arc_cost, 0.0, 79.5 - 200.0, max_labels=1000)


def test_the_window_copies_of_a_label_do_not_dominate_each_other() -> None:
    """The labels at A of the route H -> A, one per window: the first starts earlier, the second may
    leave the hub later, so neither hides the other."""
    instance = window_trap(shift=45)
    net = class_networks(instance, list(vehicle_classes(instance)))[0]
    first, window = window_copies(net, np.array([1]))
    assert first.tolist() == [1, 1] and window is not None and window.tolist() == [0, 1]
    (start, latest, drive), ok = first_clocks(net, first, window)
    assert ok.all() and start.tolist() == [10.0, 100.0] and latest[0] < latest[1]
    one = np.array([1, 1])
    labels = Labels(
        np.zeros(2), one, np.full(2, 10.0), one, one, one, np.zeros(2, dtype=np.int64), start, latest, drive
    )
    assert not dominated(labels, labels, earlier_only=True).any()


def test_without_a_shift_or_a_cost_per_hour_a_label_takes_the_earliest_window() -> None:
    instance = window_trap(shift=None)
    net = class_networks(instance, list(vehicle_classes(instance)))[0]
    assert window_copies(net, np.array([1, 2]))[1] is None


@pytest.mark.parametrize("seed", range(20))
def test_arc_elimination_by_the_shift_keeps_every_arc_of_a_route_within_it(seed: int) -> None:
    instance = random_timed_instance(seed)
    found = brute_force_time(instance)
    for vt in instance.vehicle_types:
        admits = time_admits(instance, time_network(instance, vt.name), vt.name)
        if found is not None:
            for route in found[1].used_routes():
                if instance.vehicle_by_name[route.vehicle].type.name == vt.name:
                    path = [0, *(instance.index[s] for s in route.stops), 0]
                    assert all(admits[a, b] for a, b in itertools.pairwise(path)), (seed, route)


def test_arc_elimination_removes_the_arcs_no_route_within_the_shift_drives() -> None:
    """H -> A -> B -> H lasts 34.1 minutes (10 + 14.1 + 10), each DC alone 20: a 30-minute shift admits
    neither A -> B nor B -> A, a 35-minute one both."""

    def admits(shift: float) -> np.ndarray:
        instance = instance_from_dict(
            {
                "name": "corner",
                "hub": {"id": "H", "x": 0, "y": 0},
                "dcs": [{"id": "A", "x": 10, "y": 0, "demand": 1}, {"id": "B", "x": 0, "y": 10, "demand": 1}],
                "vehicle_types": [{"name": "van", "count": 2, "capacity": 10, "shift": shift}],
                "distances": {"metric": "euclidean"},
                "time": {"hub_hours": [0, 1000], "speed": 60},
            }
        )
        return time_admits(instance, time_network(instance, "van"), "van")

    assert not admits(30)[1, 2] and not admits(30)[2, 1] and admits(30)[0, 1] and admits(30)[2, 0]
    assert admits(35)[1, 2] and admits(35)[2, 1]


@pytest.mark.parametrize("seed", range(6))
def test_auto_hands_a_cost_per_hour_beside_shifts_to_the_route_engine(seed: int) -> None:
    instance = random_timed_instance(seed, priced=True)
    assert_auto_answers_by_the_route_engine(instance, brute_force_time(instance))


def test_the_bound_proves_every_infeasible_timed_case_infeasible() -> None:
    """Seed 37 has an LP over routes that is feasible (fractions of routes cover every DC): only the
    searched tree proves it has no plan."""
    from milp_milkrun.bounds import certified_lower_bound

    infeasible = [(s, p) for s, p in TIMED_CASES if brute_force_time(random_timed_instance(s, priced=p)) is None]
    assert (37, False) in infeasible
    for seed, priced in infeasible:
        bound, how = certified_lower_bound(random_timed_instance(seed, priced=priced), 20.0)
        assert bound == float("inf") and "no feasible plan" in how, (seed, priced, how)


# the root's column generation never iterates and never resumes: the relaxation's bound is the run's
OPEN_ROOT = replace(RouteSettings(), root_share=0.0, open_root_mip_share=1.0)


@pytest.mark.parametrize(("seed", "priced"), TIMED_CASES[::3])
def test_the_strong_formulation_without_time_bounds_the_time_oracle_optimum(seed: int, priced: bool) -> None:
    """Windows, shifts and a cost per hour dropped: a relaxation, so its bound is below the optimum with
    time (and infinite, no plan, only where the oracle finds none)."""
    instance = random_timed_instance(seed, priced=priced)
    expected = brute_force_time(instance)
    bound = bound_without_time(instance, SolveOptions(), 10.0, None if expected is None else expected[1])
    if expected is not None:
        assert bound <= expected[0] + 1e-6, (seed, priced)
    assert math.isfinite(bound) or expected is None


@pytest.mark.parametrize(("seed", "priced"), TIMED_CASES[1::8])
def test_a_root_open_after_its_share_takes_the_bound_without_time(seed: int, priced: bool) -> None:
    instance = random_timed_instance(seed, priced=priced)
    expected = brute_force_time(instance)
    options = SolveOptions(time_limit=40, gap=0.0, log=False, routes=OPEN_ROOT)
    result = solve(instance, model="routes", options=options)
    if expected is None:
        assert result.plan is None and result.status in ("infeasible", "no_solution")
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.bound is not None and result.bound <= expected[0] + 1e-6
    assert "of the strong formulation without time" in result.message


def test_a_relaxation_bound_above_a_checked_plan_is_caught() -> None:
    """A "relaxation" that claims more than a plan the checker accepted costs is a bug, not a bound."""
    instance = random_timed_instance(1)
    expected = brute_force_time(instance)
    assert expected is not None
    started = time.perf_counter()
    tree = BranchAndPrice(
        instance, started + 20, settings=OPEN_ROOT, relaxed_bound=lambda seconds, plan: expected[0] + 10
    )
    assert tree.offer(expected[1])
    with pytest.raises(CheckFailedError, match="does not relax the problem"):
        tree.run(started, 20)


def test_a_root_within_the_gap_of_its_plan_keeps_its_time_for_its_own_column_generation() -> None:
    instance = random_timed_instance(1)
    expected = brute_force_time(instance)
    assert expected is not None
    tree = BranchAndPrice(instance, time.perf_counter() + 20, settings=OPEN_ROOT)
    assert tree._gap_asks_for_a_relaxation()  # no plan, no bound
    assert tree.offer(expected[1])
    assert tree._gap_asks_for_a_relaxation()  # a plan, no bound
    tree.bound = expected[0] * (1 - OPEN_ROOT.relaxed_bound_gap / 2)
    assert not tree._gap_asks_for_a_relaxation()
    tree.bound = expected[0] * (1 - 2 * OPEN_ROOT.relaxed_bound_gap)
    assert tree._gap_asks_for_a_relaxation()


def test_the_relaxation_is_not_built_where_its_time_could_not_build_it(caplog: pytest.LogCaptureFixture) -> None:
    """Building the strong model of 1,000 DCs takes minutes: with too little time there is no bound, and no build."""
    large = random_timed_instance(1, n_dcs=200)  # about 10 s to build
    with caplog.at_level("INFO", logger="milp_milkrun.solve.strong"):
        assert bound_without_time(large, SolveOptions(), 1.0, None) == -math.inf
    assert "the strong model of 200 DCs was not built" in caplog.text
    tiny = random_timed_instance(1)
    assert cut_loop_fits(tiny, 1.0) and not cut_loop_fits(tiny, 0.5)  # at least MIN_LOOP_SECONDS


@pytest.mark.parametrize(("timed", "gap", "expected"), [(True, 0.005, True), (False, 0.005, False), (True, 0.0, False)])
def test_with_time_a_root_asks_for_subset_rows_at_any_gap(timed: bool, gap: float, expected: bool) -> None:
    """A converged root 0.5% below its plan separates subset-row cuts with time (R204 with 50 customers, 1.4%: proven
    with them, open without), not without (under the 1.5% share); at no gap, neither."""
    instance = random_tiny_instance(3, time=timed)
    assert instance.has_time is timed
    tree = BranchAndPrice(instance, time.perf_counter() + 20)
    tree.incumbent, tree.incumbent_cost = Plan(()), 100.0
    tree.cg.bound = 100.0 * (1 - gap)
    assert tree._root_needs_subset_rows() is expected
