"""The heuristic as the default MIP start of solve(), and the `milkrun heuristic` command."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from bruteforce import random_tiny_instance
from typer.testing import CliRunner

from milp_milkrun.checker import check_plan
from milp_milkrun.cli import app
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.heuristics.warm_start import WarmStartSettings, solve_with_heuristic_start
from milp_milkrun.instance import DC, DistanceSpec, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.objectives import route_costs
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, make_result
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.timing import TimeSpec

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "instances" / "toy6.json"
QUIET = SolveOptions(time_limit=20, log=False, seed=3)
SMALL = WarmStartSettings()  # a tiny instance gets the own engine with the stall rule


def _feasible_tiny_instance():  # noqa: ANN202
    for seed in range(100):
        instance = random_tiny_instance(seed, n_dcs=6)
        if solve_heuristic(instance, time_limit=5, seed=1, max_iterations=50).plan is not None:
            return instance
    raise AssertionError("no feasible tiny instance")


def _stub_backend(instance, plan: Plan | None, bound: float | None, seen: list[SolveOptions]):  # noqa: ANN001, ANN202
    """A backend that returns a fixed plan (or none) and records the options it was called with."""

    def run(options: SolveOptions) -> SolveResult:
        seen.append(options)
        status = "feasible" if plan is not None else "no_solution"
        run = RunContext(instance, "exact", "stub", options.seed, started=0.0)
        return make_result(run, status=status, plan=plan, bound=bound, runtime_s=0.0)

    return run


def test_start_is_kept_when_the_backend_finds_no_plan() -> None:
    instance = _feasible_tiny_instance()
    seen: list[SolveOptions] = []
    result = solve_with_heuristic_start(instance, QUIET, _stub_backend(instance, None, 1.0, seen))
    expected = solve_heuristic(
        instance, time_limit=SMALL.budget(QUIET.time_limit), seed=QUIET.seed, stall_iterations=SMALL.stall_iterations
    )
    assert seen[0].warm_start == expected.plan and seen[0].time_limit < QUIET.time_limit
    assert result.status == "feasible" and result.plan == expected.plan and result.bound == 1.0
    assert (result.model, result.backend) == ("exact", "stub")
    assert check_plan(instance, result.plan).feasible


def test_start_beats_a_worse_backend_plan_and_loses_to_a_better_one() -> None:
    # three DCs in a cluster far from the hub, three ample vehicles: one DC per vehicle is feasible and worse
    instance = build_instance(
        name="cluster",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 1, 50, 0), DC("B", 1, 51, 0), DC("C", 1, 50, 1)],
        vehicle_types=[VehicleType("van", 3, 10)],
        distance_spec=DistanceSpec("euclidean"),
    )
    start = solve_heuristic(
        instance, time_limit=SMALL.budget(QUIET.time_limit), seed=QUIET.seed, stall_iterations=SMALL.stall_iterations
    )
    worse = Plan.from_routes([("van-1", ["A"]), ("van-2", ["B"]), ("van-3", ["C"])])
    assert check_plan(instance, worse).objective > start.objective + 1
    result = solve_with_heuristic_start(instance, QUIET, _stub_backend(instance, worse, 90.0, []))
    assert result.plan == start.plan and result.objective == start.objective and result.bound == 90.0
    assert "nothing better" in result.message
    same = solve_with_heuristic_start(instance, QUIET, _stub_backend(instance, start.plan, start.objective, []))
    assert (
        same.objective == start.objective
        and same.bound == start.objective
        and "warm start from the heuristic" in same.message
    )


def test_an_exact_solve_starts_from_the_heuristic_and_highs_accepts_it() -> None:
    instance = _feasible_tiny_instance()
    start = solve_heuristic(
        instance, time_limit=SMALL.budget(QUIET.time_limit), seed=QUIET.seed, stall_iterations=SMALL.stall_iterations
    )
    result = solve(instance, model="exact", options=QUIET)  # the MIP start as HiGHS's exact model takes it
    assert "warm start from the heuristic" in result.message
    assert "MIP start solution is feasible" in result.message  # HiGHS's own log line
    assert result.objective <= start.objective + 1e-6
    assert result.runtime_s < QUIET.time_limit + 15  # generous: the heuristic's share is inside the limit
    plain = solve(instance, model="exact", options=QUIET, heuristic_start=False)
    assert "warm start" not in plain.message
    if result.status == plain.status == "optimal":
        assert abs(result.objective - plain.objective) < 1e-6


def test_given_warm_start_is_not_replaced_by_the_heuristic() -> None:
    instance = _feasible_tiny_instance()
    own = solve_heuristic(instance, time_limit=5, seed=9, max_iterations=1).plan
    result = solve(instance, options=SolveOptions(time_limit=20, log=False, warm_start=own))
    assert "warm start from the heuristic" not in result.message


def test_cli_heuristic_json_and_plan_file(tmp_path: Path) -> None:
    runner = CliRunner()
    plan_path = tmp_path / "plan.json"
    out = runner.invoke(
        app, ["heuristic", str(TOY), "--max-iterations", "40", "--seed", "4", "--json", "--output", str(plan_path)]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["status"] == "feasible" and data["bound"] is None and data["seed"] == 4 and data["model"] == "heuristic"
    again = runner.invoke(app, ["heuristic", str(TOY), "--max-iterations", "40", "--seed", "4", "--json"])
    assert json.loads(again.stdout)["objective"] == data["objective"]  # same seed and iteration limit: same plan
    assert runner.invoke(app, ["check", str(TOY), str(plan_path)]).exit_code == 0
    table = runner.invoke(app, ["heuristic", str(TOY), "--max-iterations", "40"])
    assert table.exit_code == 0 and "FEASIBLE" in table.stdout and "total distance" in table.stdout


def test_cli_solve_without_warm_start(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["solve", str(TOY), "--no-warm-start", "--json", "--time-limit", "20", "--quiet"])
    assert out.exit_code == 0, out.output
    assert "warm start" not in json.loads(out.stdout)["message"]


def test_cli_heuristic_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    run = subprocess.run(
        [sys.executable, "-c", "from milp_milkrun.cli import main; main()", "heuristic", str(bad)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "error:" in run.stderr and "Traceback" not in run.stderr


def test_ctrl_c_during_the_heuristic_keeps_its_best_plan_and_skips_the_mip(monkeypatch) -> None:  # noqa: ANN001
    """Ctrl-C in the warm-start phase returns the heuristic's best checked plan instead of dying or starting the MIP."""
    import milp_milkrun.heuristics.metaheuristic as metaheuristic

    instance = _feasible_tiny_instance()
    real_ruin = metaheuristic.ruin
    calls = []

    def ruin_then_interrupt(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real_ruin(*args, **kwargs)

    monkeypatch.setattr(metaheuristic, "ruin", ruin_then_interrupt)
    backend_calls: list[SolveOptions] = []
    result = solve_with_heuristic_start(instance, QUIET, _stub_backend(instance, None, None, backend_calls))
    assert result.interrupted and "interrupted" in result.message
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert backend_calls == []


def test_a_large_instance_starts_from_pyvrp_for_an_iteration_budget_and_a_small_one_from_the_stall_rule() -> None:
    instance = _feasible_tiny_instance()
    costs = route_costs(instance)
    assert not SMALL.is_large(instance, costs)
    small = SMALL.search(instance, costs, QUIET.time_limit, QUIET.seed)
    assert "engine auto" not in small.message and "stopped early" in small.message
    large = WarmStartSettings(large_dcs=len(instance.dcs), iterations_per_dc=40)  # this instance counts as large
    assert large.is_large(instance, costs) and large.budget(600, True) == 30.0 and SMALL.budget(600) == 10.0
    start = large.search(instance, costs, QUIET.time_limit, QUIET.seed)
    assert "engine auto" in start.message and start.message.startswith(f"{40 * len(instance.dcs)} iterations")
    assert start.plan is not None and check_plan(instance, start.plan).feasible
    again = large.search(instance, costs, QUIET.time_limit, QUIET.seed)
    assert again.plan == start.plan  # an iteration budget: the same start for a seed
    seen: list[SolveOptions] = []
    solve_with_heuristic_start(instance, QUIET, _stub_backend(instance, None, None, seen), large)
    assert seen[0].warm_start == start.plan


def test_pyvrp_starts_only_instances_it_states() -> None:
    wide = WarmStartSettings(large_dcs=50)
    plain, timed = (
        load_instance(REPO / "instances" / "ecom74.json"),
        load_instance(REPO / "instances" / "ecom74_tw.json"),
    )
    assert wide.is_large(plain, route_costs(plain)) and not SMALL.is_large(plain, route_costs(plain))
    assert timed.has_time and not wide.is_large(timed, route_costs(timed))


def _instance_of(n_dcs: int, max_stops: int | None, windows: tuple[tuple[float, float], ...] = ()):  # noqa: ANN202
    """``n_dcs`` DCs of demand 1 on a line, n_dcs // 4 + 1 trucks of capacity 10, with or without a stop limit; with
    ``windows``, each DC's receiving windows (a day of 1,000 minutes, a unit a minute)."""
    return build_instance(
        name="line",
        hub=Site("H", 0, 0),
        dcs=[DC(f"D{i}", 1.0, float(i + 1), 0.0, windows=windows) for i in range(n_dcs)],
        vehicle_types=[VehicleType("truck", n_dcs // 4 + 1, 10.0, max_stops=max_stops)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
        distance_unit="units",
        time=TimeSpec(0.0, 1000.0, speed=60.0) if windows else None,
    )


def test_pyvrp_starts_instances_with_time_it_states() -> None:
    """One window per DC (Solomon's files) is PyVRP's to start from; a DC of two windows, or a cost per hour, is not."""
    one, two = _instance_of(50, None, ((0.0, 900.0),)), _instance_of(50, None, ((0.0, 300.0), (500.0, 900.0)))
    assert one.has_time and SMALL.is_large(one, route_costs(one)) and not SMALL.is_large(two, route_costs(two))
    hourly = route_costs(one)
    hourly = dataclasses.replace(
        hourly, rates={k: dataclasses.replace(r, per_hour=30.0) for k, r in hourly.rates.items()}
    )
    assert not SMALL.is_large(one, hourly)
    start = dataclasses.replace(SMALL, iterations_per_dc=20).search(one, route_costs(one), 60.0, 1)
    assert "engine auto" in start.message and start.plan is not None and check_plan(one, start.plan).feasible


def test_pyvrp_starts_from_fewer_dcs_where_no_vehicle_limits_its_stops() -> None:
    """From large_dcs_without_stop_limits DCs the start is PyVRP's where routes have no stop limit (CVRPLIB's
    long routes, where the own start was up to 3% above the optimum); with a stop limit from large_dcs on."""

    def starts_from_pyvrp(n_dcs: int, max_stops: int | None) -> bool:
        instance = _instance_of(n_dcs, max_stops)
        return SMALL.is_large(instance, route_costs(instance))

    assert starts_from_pyvrp(50, None) and not starts_from_pyvrp(49, None)
    assert not starts_from_pyvrp(50, 12) and not starts_from_pyvrp(99, 12) and starts_from_pyvrp(100, 12)
