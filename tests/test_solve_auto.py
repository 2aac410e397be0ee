"""`--model auto`: the route-based model, then the strong model if a gap is left; what auto refuses."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib
from time_oracle import brute_force_time, random_timed_instance

from milp_milkrun.emissions import load_factors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.result import RunContext, make_result
from milp_milkrun.solve import SolveOptions, auto, solve
from milp_milkrun.solve.auto import NO_PLAN_ROUTES_SHARE, PROOF_SHARE, ROUTES_SHARE, solve_auto
from milp_milkrun.solve.feasibility import presolve_diagnostics
from milp_milkrun.timing import ENGINES_STATING_TIME


@pytest.mark.parametrize("seed", range(4))
def test_tiny_instances_are_proven_by_the_route_based_model(seed: int) -> None:
    instance = random_tiny_instance(seed)
    result = solve(instance, options=SolveOptions(time_limit=20))
    expected = brute_force(instance)
    if expected is None:  # the heuristic finds no plan: the strong model first
        assert result.status == "infeasible"
    else:
        assert result.model in ("routes", "routes+strong") and "auto: the route-based model" in result.message
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


@pytest.mark.parametrize("heuristic_start", [True, False])
@pytest.mark.parametrize(("seed", "costs"), [(2, False), (6, False), (19, True), (67, True)])
def test_auto_proves_infeasible_what_the_route_engine_leaves_open(
    seed: int, costs: bool, heuristic_start: bool
) -> None:
    """Seeds of benchmarks/bench_infeasible.py on which the route engine ended with no plan and no proof
    (it has no Farkas pricing) and auto answered no_solution; the presolve diagnostics do not see them. With
    the heuristic start, which finds no plan, the strong model runs first; without it, after the route stage."""
    instance = random_tiny_instance(seed, costs=costs)
    assert brute_force(instance) is None and not presolve_diagnostics(instance)
    result = solve(instance, options=SolveOptions(time_limit=20), heuristic_start=heuristic_start)
    assert result.status == "infeasible" and result.plan is None
    assert result.model == "strong" if heuristic_start else result.model in ("routes", "routes+strong")


def test_auto_proves_infeasible_where_the_route_engine_searches_until_its_deadline() -> None:
    """tiny-155 (cost): the route engine, with no plan to price against, searched its whole 17 s share and
    auto proved infeasibility in the 3 s left; the strong model, run first because the heuristic finds no
    plan, proves it at once."""
    instance = random_tiny_instance(155, costs=True)
    assert brute_force(instance) is None and not presolve_diagnostics(instance)
    result = solve(instance, options=SolveOptions(time_limit=20))
    assert (
        result.status == "infeasible" and result.model == "strong" and "the heuristic found no plan" in result.message
    )


def fixed_costs_only() -> Instance:
    """Seed 24 of benchmarks/bench_auto_small.py under the cost objective: 7 DCs, the unlimited small type
    costs 29 per vehicle and 0 per km, so only fixed costs count for it."""
    xy = [(13, 10), (10, 42), (45, 48), (51, 45), (46, 59), (28, 29), (1, 33)]
    return build_instance(
        name="fixed-costs-only",
        hub=Site("H", 30, 30),
        dcs=[DC(f"D{k}", demand, x, y) for k, (demand, (x, y)) in enumerate(zip([3, 4, 2, 3, 5, 1, 2], xy), start=1)],
        vehicle_types=[
            VehicleType("big", 1, 17, 200, 4, fixed_cost=107, cost_per_km=1.0),
            VehicleType("small", None, 9, 160, None, fixed_cost=29, cost_per_km=0.0),
        ],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[{"dc": "D3", "vehicle_type": "big"}],
        consecutive=[["D5", "D6"]],
        coordinates="xy",
        distance_unit="units",
        objective="cost",
    )


def test_auto_proves_a_small_cost_instance_the_exact_model_leaves_open() -> None:
    """An audit found auto handing <= 8 DCs to the seed's model, whose bound stays 0 here (3 s: 87 against 0);
    the route-based model proves the brute-force optimum at once."""
    instance = fixed_costs_only()
    exact = solve(instance, model="exact", options=SolveOptions(time_limit=2), heuristic_start=False)
    assert exact.status == "feasible" and exact.bound == pytest.approx(0.0)
    expected = brute_force(instance)
    result = solve(instance, options=SolveOptions(time_limit=10))
    assert expected is not None and result.status == "optimal" and result.objective == pytest.approx(expected[0])
    assert result.model == "routes"


@needs_cvrplib
def test_a_larger_instance_is_proven_by_the_route_and_strong_models() -> None:
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    result = solve(instance, options=SolveOptions(time_limit=60))
    assert result.model in ("routes", "routes+strong")
    assert result.status == "optimal" and result.objective == pytest.approx(cvrplib_optimum("P-n16-k8"))
    assert result.check is not None and result.check.feasible


def test_the_pulp_backend_takes_auto_as_the_exact_model() -> None:
    result = solve(random_tiny_instance(2), backend="pulp", options=SolveOptions(time_limit=20))
    assert result.model == "exact" and result.backend == "pulp-cbc"


# ----- emissions with an engine that cannot state them, refused before any work -----------
@pytest.mark.parametrize(
    ("model", "backend"), [("exact", "highs"), ("strong", "highs"), ("auto", "pulp"), ("exact", "pulp")]
)
def test_emissions_on_an_arc_model_are_refused_before_presolve(model: str, backend: str) -> None:
    """The instance is one presolve proves infeasible (demand above the fleet): before the fix the run
    answered "infeasible" (exit 1) instead of refusing the objective (exit 2)."""
    instance = random_tiny_instance(0)
    overloaded = build_instance(
        name="overloaded",
        hub=instance.hub,
        dcs=[replace(dc, demand=dc.demand + 100) for dc in instance.dcs],
        vehicle_types=instance.vehicle_types,
        distance_spec=instance.distance_spec,
        coordinates="xy",
    )
    assert presolve_diagnostics(overloaded)
    options = SolveOptions(time_limit=5, objective="emissions", factors=load_factors())
    with pytest.raises(InputError) as error:
        solve(overloaded, model=model, backend=backend, options=options)
    assert error.value.field == "objective" and "load on each leg" in error.value.message


def test_the_cli_refuses_emissions_with_the_exact_model_before_reading_the_instance(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        monkeypatch, capsys, "solve", "no-such-file.json", "--model", "exact", "--objective", "emissions"
    )
    assert code == 2 and out == "" and err.startswith("error: --objective: the emissions objective depends on the load")


# ----- the time share that docs/formulation.md states is the constant auto uses -------------
def test_formulation_md_states_the_route_share_of_solve_auto() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "formulation.md").read_text(encoding="utf-8")
    shares = re.findall(r"route-based model for (\d+)% of the time left", text)
    assert shares == [f"{ROUTES_SHARE * 100:.0f}"], shares
    proof = re.findall(r"the strong model runs first for (\d+)%\s+of the time", text)
    assert proof == [f"{PROOF_SHARE * 100:.0f}"], proof
    no_plan = re.findall(r"route-based model gets (\d+)% of the time", text)
    assert no_plan == [f"{NO_PLAN_ROUTES_SHARE * 100:.0f}"], no_plan


@pytest.mark.parametrize("seed", [0, 4, 6])  # 6 has no plan
def test_auto_solves_tiny_instances_with_time_exactly(seed: int) -> None:
    instance = random_timed_instance(seed)
    result = solve(instance, options=SolveOptions(time_limit=20))
    expected = brute_force_time(instance)
    assert result.model in ENGINES_STATING_TIME
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


def test_auto_gives_the_route_engine_the_whole_time_when_the_strong_model_cannot_follow() -> None:
    """With time the strong model refuses, so no share of the limit is kept for it (it used to idle 15%);
    without time the route stage gets ROUTES_SHARE and the strong model may follow."""
    limits: dict[bool, list[float]] = {True: [], False: []}

    def recording(instance: Instance, model: str, options: SolveOptions, heuristic_start: bool):
        limits[instance.has_time].append(options.time_limit)
        return solve(instance, model=model, options=replace(options, time_limit=20), heuristic_start=heuristic_start)

    options = SolveOptions(time_limit=10)
    solve_auto(random_timed_instance(0), options, recording, heuristic_start=False)
    solve_auto(random_tiny_instance(0), options, recording, heuristic_start=False)
    assert limits[True] == [10]
    assert limits[False][0] == pytest.approx(ROUTES_SHARE * 10)


def test_auto_never_picks_an_engine_that_ignores_time() -> None:
    instance = random_timed_instance(1, n_dcs=10)
    result = solve(instance, options=SolveOptions(time_limit=4), heuristic_start=False)
    assert all(engine in ENGINES_STATING_TIME for engine in result.model.split("+")), result.model
    assert result.plan is None or result.check is not None and result.check.feasible


# ----- infeasible instances with time (benchmarks/bench_infeasible.py --kind time) -------------
def infeasible_with_time(kind: str, seed: int, n_dcs: int | None) -> Instance:
    """An instance of the benchmark's time kind that its own brute force proves infeasible."""
    if kind == "tiny":  # every side constraint beside the windows, service times, hub hours and shifts
        instance = random_tiny_instance(seed, n_dcs, costs=seed % 2 == 1, time=True)
        assert brute_force(instance) is None
    else:  # windows around the direct trip, binding shifts; priced: a cost per hour
        instance = random_timed_instance(seed, n_dcs, priced=seed % 2 == 1)
        assert brute_force_time(instance) is None
    return instance


@pytest.mark.parametrize(
    ("kind", "seed", "n_dcs"), [("tiny", 27, None), ("tiny", 172, None), ("timed", 37, None), ("timed", 7, 7)]
)
def test_auto_proves_infeasible_instances_with_time_by_closing_the_route_engines_tree(
    kind: str, seed: int, n_dcs: int | None
) -> None:
    """The slowest of auto's proofs on seeds 0-299 of the benchmark (and timed-7 of 7 DCs, from seeds 0-299
    at 7 DCs): no presolve diagnostic sees them, the heuristic finds no plan and the strong model does not
    state time, so the route engine must close its tree (docs/formulation.md, "Infeasible instances")."""
    instance = infeasible_with_time(kind, seed, n_dcs)
    assert not presolve_diagnostics(instance)
    result = solve(instance, options=SolveOptions(time_limit=20))
    assert result.status == "infeasible" and result.plan is None and result.model == "routes"


def test_with_time_and_no_plan_the_exact_model_gets_what_the_route_engine_leaves() -> None:
    """Beyond the tiny set (25 DCs with time) the route engine's root may not converge without a plan to
    price against, where the exact model proves infeasibility from its LP (docs/benchmarks.md). A route stage
    that ends with no plan and no proof (stood in for here) hands the rest of the time to the exact model."""
    instance = infeasible_with_time("timed", 37, None)
    limits: list[tuple[str, float]] = []

    def unconverged_routes(instance: Instance, model: str, options: SolveOptions, heuristic_start: bool):
        limits.append((model, options.time_limit))
        if model == "routes":
            context = RunContext.of(instance, options, model="routes", backend="highs", started=0.0)
            return make_result(context, status="no_solution", plan=None, bound=None, message="root not converged")
        return solve(instance, model=model, options=options, heuristic_start=heuristic_start)

    result = solve_auto(instance, SolveOptions(time_limit=20), unconverged_routes, heuristic_start=True)
    assert result.status == "infeasible" and result.plan is None and result.model == "routes+exact"
    assert [model for model, _ in limits] == ["routes", "exact"]
    assert limits[0][1] == pytest.approx(NO_PLAN_ROUTES_SHARE * 20, abs=1.0)  # of what the heuristic left
    assert limits[1][1] > 19  # the time the route stage left: all of it, as the stand-in returned at once


def test_with_time_a_route_stage_that_found_a_plan_continues_from_it() -> None:
    """Without a heuristic plan the first route stage may still find one: the rest of the time then goes to
    the route engine again, from that plan, never to the weaker exact model."""
    instance = random_timed_instance(0)
    calls: list[tuple[str, bool]] = []

    def first_stage_unproven(instance: Instance, model: str, options: SolveOptions, heuristic_start: bool):
        calls.append((model, options.warm_start is not None))
        result = solve(instance, model=model, options=options, heuristic_start=heuristic_start)
        return replace(result, status="feasible", bound=None) if len(calls) == 1 else result

    result = auto._time_without_plan(instance, SolveOptions(time_limit=20), first_stage_unproven)
    assert calls == [("routes", False), ("routes", True)] and result.model == "routes"
    expected = brute_force_time(instance)
    assert expected is not None and result.status == "optimal" and result.objective == pytest.approx(expected[0])


def test_auto_answers_what_the_presolve_diagnostics_prove_before_the_heuristic_runs() -> None:
    """tiny-151 with time (cost): demand above the whole fleet's capacity; the heuristic used to look for a
    plan first."""
    instance = infeasible_with_time("tiny", 151, None)
    assert presolve_diagnostics(instance)
    result = solve(instance, options=SolveOptions(time_limit=20))
    assert result.status == "infeasible" and result.message.startswith("auto: the presolve diagnostics")
    assert "heuristic" not in result.message
