"""Objectives other than distance: vehicle costs, unlimited vehicle types and emissions, on every engine.

Every engine is held against the brute-force oracle (tests/bruteforce.py), which prices routes from the
raw vehicle types (cost) or the ISO 14083 report (emissions) and shares nothing with
``milp_milkrun.objectives``; with fixed cost 0 and cost per km 1 the cost objective must give exactly
the distance objective's results.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli
from emission_helpers import emission_factors, with_dc_masses

from milp_milkrun.checker import check_plan
from milp_milkrun.emissions import plan_emissions
from milp_milkrun.errors import InputError
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.instance import DC, DistanceSpec, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.io.json_instance import instance_from_dict, instance_to_dict
from milp_milkrun.objectives import RouteRates, route_costs
from milp_milkrun.plan import Plan, Route
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.solve import SolveOptions, solve

REPO = Path(__file__).resolve().parents[1]
TOY6 = REPO / "instances" / "toy6.json"
EXACT_RUNS = {
    "exact": {"model": "exact"},
    "pulp": {"model": "exact", "backend": "pulp"},
    "strong": {"model": "strong"},
    "routes": {"model": "routes"},
}


def _solve(instance, run: str, **options):
    return solve(
        instance, **EXACT_RUNS[run], options=SolveOptions(time_limit=60, gap=0.0, **options), heuristic_start=False
    )


@pytest.mark.parametrize("run", list(EXACT_RUNS))
@pytest.mark.parametrize("seed", range(6))
def test_every_engine_finds_the_cheapest_plan_with_costs_and_an_unlimited_type(run: str, seed: int) -> None:
    instance = random_tiny_instance(seed, costs=True, unlimited=seed % 2 == 0)
    expected = brute_force(instance)
    result = _solve(instance, run)
    if expected is None:
        assert result.plan is None
        return
    assert result.objective_kind == "cost" and result.status == "optimal"
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.check is not None and result.check.cost == pytest.approx(expected[0], abs=1e-6)
    assert result.bound is not None and result.bound <= expected[0] + 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_the_heuristic_never_claims_less_than_the_optimum_with_costs(seed: int) -> None:
    instance = random_tiny_instance(seed, costs=True, unlimited=True)
    expected = brute_force(instance)
    result = solve_heuristic(instance, max_iterations=200, seed=seed)
    if expected is None:
        assert result.plan is None
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective_kind == "cost" and result.objective >= expected[0] - 1e-6


def _identity_costs(instance):
    """The same instance under the cost objective with fixed cost 0 and cost per km 1."""
    return dataclasses.replace(instance, objective="cost")


@pytest.mark.parametrize("run", list(EXACT_RUNS))
def test_unit_costs_give_exactly_the_distance_results(run: str) -> None:
    instance = random_tiny_instance(3)
    by_distance, by_cost = _solve(instance, run), _solve(_identity_costs(instance), run)
    assert by_cost.objective_kind == "cost" and by_distance.objective_kind == "distance"
    assert by_cost.objective == by_distance.objective and by_cost.bound == by_distance.bound
    assert by_cost.plan == by_distance.plan


def test_unit_costs_give_the_heuristic_the_same_search() -> None:
    instance = load_instance(REPO / "instances" / "ecom74.json")
    by_distance = solve_heuristic(instance, max_iterations=150, seed=7)
    by_cost = solve_heuristic(_identity_costs(instance), max_iterations=150, seed=7)
    assert by_cost.plan == by_distance.plan and by_cost.objective == by_distance.objective


@pytest.mark.parametrize("seed", range(5))
def test_the_route_engine_finds_the_plan_of_least_emissions(seed: int) -> None:
    instance = with_dc_masses(random_tiny_instance(seed, n_dcs=5), {"D1": 150.0, "D3": 10.0})  # heavy and light drops
    factors = emission_factors()
    expected = brute_force(instance, "emissions", factors)
    result = solve(
        instance,
        model="routes",
        options=SolveOptions(time_limit=60, gap=0.0, objective="emissions", factors=factors),
        heuristic_start=False,
    )
    if expected is None:
        assert result.plan is None
        return
    assert result.objective_kind == "emissions" and result.status == "optimal"
    assert result.objective == pytest.approx(expected[0], rel=1e-9)
    assert result.objective == pytest.approx(plan_emissions(instance, result.plan, factors).kg_co2e_wtw, rel=1e-12)


def test_the_arc_models_refuse_a_load_dependent_objective() -> None:
    options = SolveOptions(time_limit=10, objective="emissions", factors=emission_factors())
    for model in ("exact", "strong"):
        with pytest.raises(InputError) as error:
            solve(random_tiny_instance(1), model=model, options=options, heuristic_start=False)
        assert error.value.field == "objective"


def test_the_checker_prices_each_route_from_its_vehicle_type() -> None:
    instance = build_instance(
        name="two",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 1, 3, 4), DC("B", 1, 6, 8)],
        vehicle_types=[VehicleType("van", 2, 5, fixed_cost=100, cost_per_km=2)],
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
        objective="cost",
    )
    report = check_plan(instance, Plan((Route("van-1", ("A",)), Route("van-2", ("B",)))))
    assert [r.cost for r in report.routes] == [100 + 2 * 10, 100 + 2 * 20]
    assert report.cost == 260 and report.distance == 30 and report.objective == 260


def test_an_unlimited_type_gets_as_many_vehicles_as_dcs_it_may_serve() -> None:
    instance = build_instance(
        name="fsm",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 4, 1, 0), DC("B", 9, 2, 0), DC("C", 4, 3, 0)],
        vehicle_types=[VehicleType("small", None, 5), VehicleType("large", 1, 20)],
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
    )
    small = instance.vehicle_types[0]
    assert small.unlimited and small.count == 2  # B (9) does not fit a small vehicle
    assert instance.fleet_capacity == float("inf")
    again = instance_from_dict(json.loads(json.dumps(instance_to_dict(instance))))
    assert (
        again.vehicle_types == instance.vehicle_types and "count" not in instance_to_dict(instance)["vehicle_types"][0]
    )


def test_a_vehicle_of_an_unlimited_type_cannot_be_forbidden_by_name() -> None:
    with pytest.raises(InputError) as error:
        build_instance(
            name="bad",
            hub=Site("H", 0, 0),
            dcs=[DC("A", 1, 1, 0)],
            vehicle_types=[VehicleType("van", None, 5)],
            distance_spec=DistanceSpec("euclidean"),
            coordinates="xy",
            forbidden=[{"dc": "A", "vehicle": "van-1"}],
        )
    assert error.value.field == "forbidden[0].vehicle"


@pytest.mark.parametrize("field, value", [("fixed_cost", -1), ("cost_per_km", float("nan"))])
def test_a_negative_or_missing_cost_is_refused(field: str, value: float) -> None:
    with pytest.raises(InputError) as error:
        build_instance(
            name="bad",
            hub=Site("H", 0, 0),
            dcs=[DC("A", 1, 1, 0)],
            vehicle_types=[VehicleType("van", 1, 5, **{field: value})],
            distance_spec=DistanceSpec("euclidean"),
            coordinates="xy",
        )
    assert error.value.field == f"vehicle_types[0].{field}"


def test_route_costs_follow_the_instance_unless_told_otherwise() -> None:
    instance = random_tiny_instance(5, costs=True)
    assert route_costs(instance).objective.value == "cost"
    assert set(route_costs(instance, "distance").rates.values()) == {RouteRates()}
    with pytest.raises(InputError) as error:
        route_costs(instance, "emissions")
    assert error.value.field == "factors"


def _toy6_with_costs(tmp_path: Path) -> Path:
    data = json.loads(TOY6.read_text())
    for k, vt in enumerate(data["vehicle_types"]):
        vt["fixed_cost"], vt["cost_per_km"] = 50 * (k + 1), 1.5 - 0.25 * k
    path = tmp_path / "toy6_costs.json"
    path.write_text(json.dumps(data))
    return path


def test_cli_solves_for_cost_and_reports_both_figures(tmp_path: Path, monkeypatch, capsys) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "solve",
        str(_toy6_with_costs(tmp_path)),
        "--objective",
        "cost",
        "--json",
        "--time-limit",
        "20",
    )
    data = json.loads(out)
    assert code == 0 and data["objective_kind"] == "cost" and data["status"] == "optimal"
    assert data["objective"] == pytest.approx(data["cost"]) and data["cost"] == pytest.approx(
        sum(r["cost"] for r in data["routes"])
    )
    assert data["distance"] == pytest.approx(sum(r["distance"] for r in data["routes"]))


@pytest.mark.parametrize(
    "args, flag",
    [
        (["--factors", "x.json"], "--factors"),
        (["--objective", "emissions", "--model", "exact"], "--objective"),
        (["--objective", "price"], "--objective"),
    ],
)
def test_cli_refuses_contradictory_objective_options(args: list[str], flag: str, monkeypatch, capsys) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "solve", str(TOY6), "--time-limit", "5", *args)
    assert code == 2 and flag in err and "Traceback" not in err


def test_a_batch_checks_its_objective_before_any_work(tmp_path: Path) -> None:
    from milp_milkrun.batch import BatchOptions

    with pytest.raises(InputError) as error:
        BatchOptions(objective="price")
    assert error.value.field == "objective"
    with pytest.raises(InputError) as error:
        BatchOptions(factors=str(tmp_path / "factors.json"))
    assert error.value.field == "factors"
    assert BatchOptions(objective="emissions").emission_factors() is not None


def test_the_two_builds_of_the_exact_model_agree_on_costs() -> None:
    from milp_milkrun.crosscheck import crosscheck

    instance = random_tiny_instance(0, costs=True, unlimited=True)
    report = crosscheck(instance, 30)
    assert report.agree, report.differences
    assert all(run.objective == pytest.approx(brute_force(instance)[0]) for run in report.runs.values())


def _with_fixed_costs(instance, fixed: float):
    """The instance with every vehicle type's fixed cost set to ``fixed`` (dwarfing every distance)."""
    data = instance_to_dict(instance)
    for vt in data["vehicle_types"]:
        vt["fixed_cost"] = fixed
    return instance_from_dict(data)


@pytest.mark.parametrize(
    "make",
    [lambda: load_instance(TOY6), lambda: random_tiny_instance(0, n_dcs=6, costs=True, unlimited=True)],
    ids=["toy6", "tiny"],
)
def test_fixed_costs_that_dwarf_the_distances_keep_the_bound_valid(make) -> None:
    # the route master's artificial columns must cost more than any whole plan, not any one route:
    # a node whose LP reached the cost of one route was once pruned as if it admitted no plan
    instance = _with_fixed_costs(make(), 5000.0)
    expected = brute_force(instance, "cost")
    assert expected is not None and RouteMaster(instance, costs=route_costs(instance, "cost")).penalty > expected[0]
    result = _solve(instance, "routes", objective="cost")
    assert result.bound is not None and result.bound <= expected[0] + 1e-6
    assert result.objective == pytest.approx(expected[0], abs=1e-6) and result.status == "optimal"


def _in_tenths(instance, seed: int):
    """``instance`` with every distance moved by a symmetric random number of tenths (a matrix in one decimal)."""
    rng = np.random.default_rng(seed)
    tenths = np.triu(rng.integers(0, 10, instance.distance.shape), 1)
    distance = np.round(instance.distance + 0.1 * (tenths + tenths.T), 1)
    return dataclasses.replace(instance, distance=distance, distance_spec=DistanceSpec("matrix"))


def _with_types(instance, **changes):
    """``instance`` with each vehicle type's fields set to ``changes[field](type)``."""
    types = tuple(dataclasses.replace(vt, **{k: f(vt) for k, f in changes.items()}) for vt in instance.vehicle_types)
    return dataclasses.replace(instance, vehicle_types=types)


def test_the_cost_grain_is_the_step_every_plan_value_takes() -> None:
    whole = random_tiny_instance(1)
    assert route_costs(whole).grain == 1.0
    assert route_costs(_in_tenths(whole, 1)).grain == 0.1
    priced = random_tiny_instance(1, costs=True)
    assert route_costs(_with_types(priced, cost_per_km=lambda vt: 1.0)).grain == 1.0
    cents = _with_types(priced, cost_per_km=lambda vt: 2.0, fixed_cost=lambda vt: vt.fixed_cost + 0.05)
    assert route_costs(cents).grain == 0.01
    assert route_costs(_with_types(priced, cost_per_km=lambda vt: 0.5)).grain == 0.0  # a rate per km not whole
    assert route_costs(load_instance(REPO / "instances" / "ecom74.json")).grain == 0.0  # haversine distances


def test_a_load_term_leaves_no_cost_grain() -> None:
    instance = with_dc_masses(random_tiny_instance(2, n_dcs=5), {"D1": 150.0})
    costs = route_costs(instance, objective="emissions", factors=emission_factors())
    assert costs.grain == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_the_route_engine_rounds_its_bound_to_tenths_and_stays_below_the_optimum(seed: int) -> None:
    """Distances in tenths: the bound rises to the next tenth (a plan costs a whole number of them), and the
    brute force says it never passes the optimum."""
    instance = _in_tenths(random_tiny_instance(seed), seed)
    expected = brute_force(instance)
    result = _solve(instance, "routes")
    if expected is None:
        assert result.plan is None
        return
    assert result.status == "optimal" and result.objective == pytest.approx(expected[0], abs=1e-9)
    assert result.bound is not None and result.bound <= expected[0] + 1e-9
    tenths = route_lower_bound(instance, 20).bound * 10
    assert tenths == pytest.approx(round(tenths), abs=1e-6)
