"""The exact models with time (Eq 15-18): equal to a brute force on random tiny instances with windows
(binding and not, several windows per DC, shifts, no plan at all), a plan one minute late accepted by
no model, the families shown by ``milkrun inspect``, the MIP start's schedule."""

from __future__ import annotations

import dataclasses

import pytest
from bruteforce import brute_force, random_tiny_instance
from time_oracle import brute_force_time, random_timed_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.crosscheck import crosscheck
from milp_milkrun.instance import (
    DC,
    DistanceSpec,
    Instance,
    Site,
    VehicleType,
    build_instance,
)
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.families import TIME_FAMILIES, families_of
from milp_milkrun.models.inspect import format_inspection, inspect_model
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan, Route
from milp_milkrun.reports.model_files import family_rows
from milp_milkrun.result import SolveResult
from milp_milkrun.solve import solve
from milp_milkrun.timing import ENGINES_STATING_TIME, TimeSpec

SEEDS = range(14)
OPTIONS = SolveOptions(time_limit=30.0)


def exact_highs(instance: Instance, options: SolveOptions = OPTIONS) -> SolveResult:
    return solve(instance, model="exact", options=options, heuristic_start=False)


def exact_pulp(instance: Instance, options: SolveOptions = OPTIONS) -> SolveResult:
    return solve(instance, model="exact", backend="pulp", options=options, heuristic_start=False)


ENGINES = {"exact": exact_highs, "exact-pulp": exact_pulp}


def assert_equals_brute_force(instance: Instance, result: SolveResult) -> None:
    expected = brute_force_time(instance)
    if expected is None:
        assert result.status == "infeasible", result.message
        return
    assert result.status == "optimal", result.message
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert check_plan(instance, expected[1]).feasible  # the checker accepts the brute force's plan
    report = check_plan(instance, result.plan)  # type: ignore[arg-type]
    assert report.feasible, report.violations  # the checker's time verdict agrees with the model's


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("seed", SEEDS)
def test_equals_brute_force_on_random_timed_instances(engine: str, seed: int) -> None:
    assert engine in ENGINES_STATING_TIME
    instance = random_timed_instance(seed)
    assert_equals_brute_force(instance, ENGINES[engine](instance))


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("variant", ["distance", "cost and unlimited"])
@pytest.mark.parametrize("seed", range(8))
def test_equals_the_shared_oracle_with_side_constraints_and_time(engine: str, variant: str, seed: int) -> None:
    """tests/bruteforce.py's instances with time also have forbidden pairs, consecutive pairs, damaged
    roads, two speeds and unloading per unit; the second variant prices fixed and per-km costs of an
    unlimited type."""
    priced = variant != "distance"
    instance = random_tiny_instance(seed, time=True, costs=priced, unlimited=priced)
    expected = brute_force(instance)
    result = ENGINES[engine](instance)
    if expected is None:
        assert result.status == "infeasible", result.message
        return
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-6), result.message
    assert check_plan(instance, result.plan).feasible  # type: ignore[arg-type]


def test_random_instances_cover_binding_windows_several_windows_shifts_and_no_plan() -> None:
    """The seeds above are worth testing: time changes the optimum, DCs have two windows, a shift
    binds and some instances have no plan."""
    binding = several = shift_binds = no_plan = 0
    for seed in SEEDS:
        instance = random_timed_instance(seed)
        with_time = brute_force_time(instance)
        without_shift = brute_force_time(_without_shifts(instance))
        no_plan += with_time is None
        several += any(len(w) > 1 for w in instance.windows[1:])
        shift_binds += (
            with_time is None
            and without_shift is not None
            or (with_time is not None and without_shift is not None and with_time[0] > without_shift[0] + 1e-9)
        )
        binding += with_time is None or with_time[0] > _distance_only_optimum(instance) + 1e-9
    assert binding >= 5 and several >= 5 and shift_binds >= 1 and no_plan >= 1


def _without_shifts(instance: Instance) -> Instance:
    return dataclasses.replace(
        instance, vehicle_types=tuple(dataclasses.replace(vt, shift=None) for vt in instance.vehicle_types)
    )


def _distance_only_optimum(instance: Instance) -> float:
    best = brute_force(dataclasses.replace(instance, time=None))
    assert best is not None
    return best[0]


# ----- one minute late ---------------------------------------------------------------------------
def two_stops(d2_windows: tuple[tuple[float, float], ...], *, shift: float | None = None) -> Instance:
    """One van; the hub opens at 60; D1 30 minutes away (speed 60) receives 100-110 only, D2 30 minutes
    further; 5 minutes of service each. D2 cannot come first (D1 would be missed), so the one route is
    hub, D1, D2: leaving between 70 and 80, D1 is served by 110 and D2 reached 35 minutes later."""
    return build_instance(
        name="two-stops",
        hub=Site("H", 0, 0),
        dcs=[
            DC("D1", 1, 30, 0, windows=((100.0, 110.0),), service=5.0),
            DC("D2", 1, 60, 0, windows=d2_windows, service=5.0),
        ],
        vehicle_types=[VehicleType("van", 1, 10, shift=shift)],
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
        distance_unit="units",
        time=TimeSpec(60.0, 600.0, speed=60.0),
    )


ROUTE = Plan((Route("van-1", ("D1", "D2")),))


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_stop_reached_one_minute_after_its_window_closes_is_accepted_by_no_model(engine: str) -> None:
    on_time, late = two_stops(((0.0, 135.0),)), two_stops(((0.0, 134.0),))  # D2 is reached at 135 at the earliest
    assert ENGINES[engine](on_time).status == "optimal"
    assert ENGINES[engine](late).status == "infeasible"
    assert check_plan(on_time, ROUTE).feasible and not check_plan(late, ROUTE).feasible


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_shift_one_minute_too_short_is_accepted_by_no_model(engine: str) -> None:
    # D2 opens at 200: leaving at 80 (the latest D1 allows) the route waits 55 minutes and lasts 185
    windows = ((200.0, 220.0),)
    assert ENGINES[engine](two_stops(windows, shift=185.0)).status == "optimal"
    assert ENGINES[engine](two_stops(windows, shift=184.0)).status == "infeasible"
    assert (
        check_plan(two_stops(windows, shift=185.0), ROUTE).feasible
        and not check_plan(two_stops(windows, shift=184.0), ROUTE).feasible
    )


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_the_second_window_of_a_dc_is_used_when_the_first_closed(engine: str) -> None:
    # D2 is reached at 135 at the earliest: its first window (0-130) has closed, the second (300-310) is waited for
    instance = two_stops(((0.0, 130.0), (300.0, 310.0)))
    result = ENGINES[engine](instance)
    assert result.status == "optimal"
    schedule = check_plan(instance, result.plan).routes[0].schedule  # type: ignore[arg-type]
    assert schedule is not None and schedule.stops[1].start == pytest.approx(300.0)


# ----- the model's families --------------------------------------------------------------------------
def expected_time_rows(instance: Instance) -> dict[str, int]:
    """Rows per time family from the formulas of docs/formulation.md."""
    n, t = instance.n_dcs, len(instance.vehicles)
    several = sum(len(w) > 1 for w in instance.windows[1:])
    return {
        "eq15_time_flow": (n + 1) * n * t,
        "eq16_time_windows": 2 * n * t + several,
        "eq17_hub_hours": 3 * t,
        "eq18_shift": sum(v.type.shift is not None for v in instance.vehicles),
    }


@pytest.mark.parametrize("seed", range(4))
def test_time_families_have_the_documented_rows(seed: int) -> None:
    instance = random_timed_instance(seed)
    model = build_exact_model(instance)
    assert {f.name: len(getattr(model, f.name)) for f in TIME_FAMILIES} == expected_time_rows(instance)
    assert [f.name for f in families_of(instance.has_time)][-4:] == [f.name for f in TIME_FAMILIES]


def test_inspect_lists_the_time_families_only_for_an_instance_with_time() -> None:
    instance = random_timed_instance(3)
    text = format_inspection(inspect_model(instance, build_exact_model(instance)))
    assert all(f.name in text for f in TIME_FAMILIES)
    untimed = dataclasses.replace(instance, time=None)
    assert not any(
        f.name in format_inspection(inspect_model(untimed, build_exact_model(untimed))) for f in TIME_FAMILIES
    )
    assert "no rows" in family_rows(untimed, build_exact_model(untimed), "eq15_time_flow")[0]
    rows = family_rows(instance, build_exact_model(instance), "eq17_hub_hours", limit=3)
    assert rows[0].startswith("eq17_hub_hours[")


def test_a_feasible_mip_start_with_times_is_accepted() -> None:
    instance = random_timed_instance(0)
    expected = brute_force_time(instance)
    assert expected is not None
    result = exact_highs(instance, dataclasses.replace(OPTIONS, warm_start=expected[1]))
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0])
    assert "warm start ignored" not in result.message


def test_the_pulp_build_takes_a_mip_start_with_times() -> None:
    instance = random_timed_instance(0)
    expected = brute_force_time(instance)
    assert expected is not None
    result = exact_pulp(instance, dataclasses.replace(OPTIONS, warm_start=expected[1]))
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


# ----- crosscheck ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "priced"), [(0, False), (6, False), (2, True)])  # 6 has no plan; 2 prices hours
def test_crosscheck_compares_the_time_families(seed: int, priced: bool) -> None:
    instance = random_timed_instance(seed, priced=priced)
    report = crosscheck(instance, time_limit=20.0)
    assert report.agree, report.differences
    assert {f.name for f in TIME_FAMILIES} <= set(report.rows)
    assert {"theta", "dep", "ret", "y"} <= set(report.columns)


@pytest.mark.parametrize("family", [f.name for f in TIME_FAMILIES])
def test_crosscheck_catches_a_pulp_build_without_a_time_family(family: str) -> None:
    instance = random_timed_instance(4)  # shifts on both types, two DCs with two windows
    report = crosscheck(instance, time_limit=20.0, drop_family=family)
    assert not report.agree
    assert any(family in d for d in report.differences)


# ----- a cost per hour of route duration ----------------------------------------------------------
@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("seed", range(8))
def test_a_cost_per_hour_of_duration_is_priced_like_the_brute_force(engine: str, seed: int) -> None:
    instance = random_timed_instance(seed, priced=True)
    expected = brute_force_time(instance)
    result = ENGINES[engine](instance)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-6)
    assert check_plan(instance, expected[1]).cost == pytest.approx(expected[0])  # the checker prices the duration too


def test_the_cost_per_hour_changes_some_optimal_plans() -> None:
    changed = 0
    for seed in range(8):
        instance = random_timed_instance(seed, priced=True)
        unpriced = dataclasses.replace(
            instance, vehicle_types=tuple(dataclasses.replace(vt, cost_per_hour=0.0) for vt in instance.vehicle_types)
        )
        with_hours, without = brute_force_time(instance), brute_force_time(unpriced)
        if with_hours is not None and without is not None:
            changed += {r.stops for r in with_hours[1].used_routes()} != {r.stops for r in without[1].used_routes()}
    assert changed >= 1


def test_cost_per_hour_needs_time_and_survives_the_round_trip() -> None:
    from milp_milkrun.errors import InputError
    from milp_milkrun.io import instance_from_dict, instance_to_dict

    data = {
        "name": "hourly",
        "hub": {"id": "H", "x": 0, "y": 0},
        "dcs": [{"id": "D1", "x": 30, "y": 0, "demand": 1}],
        "vehicle_types": [{"name": "van", "count": 1, "capacity": 5, "cost_per_hour": 42}],
        "distances": {"metric": "euclidean"},
        "time": {"hub_hours": ["06:00", "20:00"], "speed": 60},
        "objective": "cost",
    }
    instance = instance_from_dict(data)
    assert instance.vehicle_types[0].cost_per_hour == 42.0
    assert instance_to_dict(instance)["vehicle_types"][0]["cost_per_hour"] == 42
    result = exact_highs(instance)
    assert result.objective == pytest.approx(60.0 + 42.0)  # 60 km there and back, one hour on the road
    del data["time"]
    with pytest.raises(InputError) as error:
        instance_from_dict(data)
    assert error.value.field == "vehicle_types[0].cost_per_hour"


@pytest.mark.parametrize("seed", [0, 4, 6])  # 6 has no plan
def test_a_plan_with_time_gets_a_certified_bound_from_the_route_engine(seed: int) -> None:
    from milp_milkrun.bounds import certified_lower_bound

    instance = random_timed_instance(seed)
    expected = brute_force_time(instance)
    bound, how = certified_lower_bound(instance, 20.0, incumbent=expected[1] if expected else None)
    if expected is None:
        assert bound == float("inf") and "no feasible plan" in how
    else:
        assert bound == pytest.approx(expected[0]) and "route-based" in how  # tiny: proven
