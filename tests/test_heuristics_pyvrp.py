"""The PyVRP engine of the heuristic (heuristics/pyvrp_engine.py, heuristics/engines.py) and the hub generator."""

from __future__ import annotations

import logging
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import pyvrp
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.metaheuristic import SearchParams
from milp_milkrun.heuristics.problem import compile_problem
from milp_milkrun.heuristics.pyvrp_engine import (
    PhaseStop,
    build_model,
    from_pyvrp,
    refusal,
    rounding_slack,
    run_pyvrp,
    to_pyvrp,
)
from milp_milkrun.heuristics.solver import vehicle_rates
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict, load_instance
from milp_milkrun.objectives import route_costs
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]
INSTANCES = REPO / "instances"
sys.path.insert(0, str(INSTANCES))  # instances/hub.py is a script beside generate.py, not a package

from hub import hub_data  # noqa: E402

OPENING_ROUND = re.compile(r"PyVRP round \d+ \(own random start\): best ([0-9.]+)")


def engine(name: str) -> SearchParams:
    return SearchParams(engine=EngineSettings(name))


@pytest.fixture(scope="module")
def hub60() -> dict:
    return hub_data(60, 3)


def test_generate_hub_writes_the_same_valid_file_for_a_seed(tmp_path: Path) -> None:
    files = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in files:
        subprocess.run(
            [sys.executable, str(INSTANCES / "generate.py"), "hub", "--dcs", "50", "--seed", "4", str(path)],
            check=True,
            capture_output=True,
        )
    assert files[0].read_text() == files[1].read_text()
    instance = load_instance(files[0])
    assert instance.n_dcs == 50 and instance.consecutive and instance.damaged_roads
    large = [v.name for v in instance.vehicles if v.type.name == "large"]
    assert any(not instance.is_allowed(dc.id, large[0]) for dc in instance.dcs)
    assert {vt.name: (vt.capacity, vt.max_stops, vt.max_distance) for vt in instance.vehicle_types} == {
        "large": (2600, 10, 750),
        "small": (1100, 7, 500),
    }
    assert hub_data(50, 5) != hub_data(50, 4)


@pytest.mark.parametrize(
    "name", ["small_consecutive", "small_damaged", "small_distance", "small_forbidden", "small_stops"]
)
def test_pyvrp_states_each_side_constraint(name: str) -> None:
    """On each small_* instance the constraint cuts off the unconstrained optimum (tests/test_instances.py):
    PyVRP reaching the constrained optimum with a checked plan shows it was stated."""
    instance = load_instance(INSTANCES / f"{name}.json")
    result = solve_heuristic(instance, time_limit=30, seed=1, max_iterations=300, params=engine("pyvrp"))
    best = brute_force(instance)
    assert best is not None and result.plan is not None
    assert check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(best[0])


def test_a_seed_beyond_32_bits_reaches_pyvrp_wrapped() -> None:
    """Any seed >= 0 is the toolkit's; PyVRP takes 32 bits (a 20-digit seed once ended the CLI in a TypeError)."""
    instance = load_instance(INSTANCES / "small_stops.json")
    result = solve_heuristic(instance, time_limit=30, seed=10**20 - 1, max_iterations=50, params=engine("pyvrp"))
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.seed == 10**20 - 1  # the seed printed is the one given


def test_pyvrp_plan_on_a_generated_hub_passes_the_checker(hub60: dict) -> None:
    instance = instance_from_dict(hub60)
    result = solve_heuristic(instance, time_limit=30, seed=2, max_iterations=500, params=engine("pyvrp"))
    assert result.plan is not None and check_plan(instance, result.plan).feasible


def test_a_pyvrp_plan_that_breaks_a_rule_never_reaches_the_search(hub60: dict) -> None:
    """The adapter's missing edges make a forbidden DC on a large truck cost MAX_VALUE; were PyVRP to
    return such a plan anyway, converting it back must reject it (the checker)."""
    instance = instance_from_dict(hub60)
    p = compile_problem(instance)
    model = build_model(p)
    large = next(k for k, members in enumerate(model.members) if p.vehicle_names[members[0]].startswith("large"))
    banned = next(u for u in range(1, p.n_units + 1) if not p.mask[u] >> model.members[large][0] & 1)
    matrix = model.data.distance_matrices()[large]
    assert matrix[0, banned] == pyvrp.constants.MAX_VALUE and matrix[banned, 0] == pyvrp.constants.MAX_VALUE
    run = run_pyvrp(p, model, PhaseStop(math.inf, max_iterations=200), seed=2)
    assert run.best is not None
    routes = [([a.idx for a in r if a.is_client()], r.vehicle_type()) for r in to_pyvrp(model, run.best).routes()]
    with_banned = next(k for k, (clients, _) in enumerate(routes) if banned - 1 in clients)
    on_large = next(k for k, (_, kind) in enumerate(routes) if kind == large)
    routes[with_banned], routes[on_large] = (routes[with_banned][0], large), (routes[on_large][0], 1 - large)
    broken = pyvrp.Solution(model.data, [pyvrp.Route(model.data, clients, kind) for clients, kind in routes])
    assert from_pyvrp(p, model, broken) is None


def test_pyvrp_refuses_time_on_chains_in_one_line() -> None:
    timed = load_instance(INSTANCES / "ecom74_tw.json")
    reason = refusal(compile_problem(timed))
    assert reason is not None and "\n" not in reason and "time windows" in reason
    with pytest.raises(InputError) as raised:
        solve_heuristic(timed, time_limit=5, seed=1, max_iterations=5, params=engine("pyvrp"))
    assert raised.value.field == "engine"
    fallback = solve_heuristic(timed, time_limit=5, seed=1, max_iterations=5, params=engine("auto"))
    assert "own search alone (PyVRP does not state time windows" in fallback.message


def test_pyvrp_states_priced_fleets_and_refuses_only_a_load_term() -> None:
    ecom = load_instance(INSTANCES / "ecom74.json")
    assert refusal(compile_problem(ecom)) is None
    fixed_costs = compile_problem(ecom, [(100.0, 1.0, 0.0)] * len(ecom.vehicles))
    load_term = compile_problem(ecom, [(0.0, 1.0, 1e-6)] * len(ecom.vehicles))
    assert fixed_costs.typed and refusal(fixed_costs) is None
    reason = refusal(load_term)
    assert reason is not None and "load term" in reason and "\n" not in reason


def priced_fleet(counts: dict[str, int | None]) -> Instance:
    """Six DCs in two clusters of three (demand 10 each) and three vehicle types: ``cheap`` (capacity
    20, fixed 10, 1.2 per unit of length), ``dear`` (capacity 30, fixed 10, 3 per unit: one route per
    cluster, the shortest plan) and ``big`` (capacity 80, fixed 300, 1.5 per unit); ``counts`` limits them (None: unlimited; a type not named is left out).
    Fractional lengths."""
    spots = [(50, 10), (53, 12), (55, 9), (10, 50), (12, 53), (9, 55)]
    rates = {"dear": (30, 10, 3.0), "cheap": (20, 10, 1.2), "big": (80, 300, 1.5)}
    types = []
    for name, (capacity, fixed, per_km) in rates.items():
        if name not in counts:
            continue
        entry: dict = {"name": name, "capacity": capacity, "fixed_cost": fixed, "cost_per_km": per_km}
        if counts[name] is not None:
            entry["count"] = counts[name]
        types.append(entry)
    return instance_from_dict(
        {
            "name": "priced",
            "distance_unit": "units",
            "objective": "cost",
            "hub": {"id": "H", "x": 0, "y": 0},
            "dcs": [{"id": f"D{k}", "x": x, "y": y, "demand": 10} for k, (x, y) in enumerate(spots, 1)],
            "vehicle_types": types,
            "distances": {"metric": "euclidean", "round": "none"},
        }
    )


def pyvrp_plan(instance: Instance, seed: int = 1, iterations: int = 300) -> tuple:
    """PyVRP's best plan through the adapter: the compiled problem, the model, the search's solution
    and PyVRP's own."""
    p = compile_problem(instance, vehicle_rates(instance, route_costs(instance)))
    model = build_model(p)
    run = run_pyvrp(p, model, PhaseStop(math.inf, max_iterations=iterations), seed)
    assert run.best is not None
    return p, model, run.best, to_pyvrp(model, run.best)


def types_used(instance: Instance, plan: Plan) -> Counter[str]:
    return Counter(instance.vehicle_by_name[r.vehicle].type.name for r in plan.routes)


def test_pyvrp_cost_is_the_checked_cost_up_to_the_scaling() -> None:
    """Fractional lengths and rates: PyVRP's integer cost / scale is the checker's cost within the
    stated slack, and it counts one fixed cost per used vehicle."""
    instance = priced_fleet({"cheap": None, "dear": None, "big": None})
    p, model, best, theirs = pyvrp_plan(instance)
    check = check_plan(instance, best.to_plan())
    assert check.feasible and best.cost == pytest.approx(check.cost)
    assert model.scale == 1000
    pyvrp_cost = (theirs.distance_cost() + theirs.fixed_vehicle_cost()) / model.scale
    assert abs(pyvrp_cost - check.cost) <= rounding_slack(model, p.n_units, len(best.routes))
    assert abs(pyvrp_cost - check.distance) > 1.0  # PyVRP's cost is the cost, not the distance
    fixed = sum(instance.vehicle_by_name[r.vehicle].type.fixed_cost for r in check.routes)
    assert theirs.fixed_vehicle_cost() == fixed * model.scale and theirs.num_routes() == len(check.routes)


def test_pyvrp_takes_the_type_cheaper_per_unit_of_length_at_the_brute_force_optimum() -> None:
    """dear would drive the shortest plan and big saves trips at a fixed cost that outweighs them:
    every route goes on cheap, at the optimum (were the rates left out, dear would win)."""
    instance = priced_fleet({"cheap": None, "dear": None, "big": None})
    oracle = brute_force(instance)
    result = solve_heuristic(instance, time_limit=30, seed=1, max_iterations=300, params=engine("pyvrp"))
    assert oracle is not None and result.plan is not None and result.check is not None
    assert set(types_used(instance, result.plan)) == {"cheap"}
    assert result.objective == pytest.approx(oracle[0]) and result.check.cost == pytest.approx(oracle[0])


def test_pyvrp_keeps_a_limited_fleet_at_the_brute_force_optimum() -> None:
    """Unlimited, three cheap vehicles carry everything; with two cheap ones only, the rest goes on dear."""
    instance = priced_fleet({"cheap": 2, "dear": 3})
    oracle = brute_force(instance)
    result = solve_heuristic(instance, time_limit=30, seed=1, max_iterations=300, params=engine("pyvrp"))
    assert oracle is not None and result.plan is not None
    used = types_used(instance, result.plan)
    assert used["cheap"] == 2 and 1 <= used["dear"] <= 3
    assert result.objective == pytest.approx(oracle[0])


def test_pyvrp_reaches_the_brute_force_optimum_with_costs_and_side_constraints() -> None:
    """Random tiny instances with fixed costs, per-km rates by type (fractional), an unlimited type,
    distance limits scaled by the rate, forbidden pairs, consecutive pairs and damaged roads."""
    equal = solved = 0
    for seed in range(30):
        instance = random_tiny_instance(seed, costs=True, unlimited=True)
        oracle = brute_force(instance)
        result = solve_heuristic(instance, time_limit=30, seed=seed, max_iterations=200, params=engine("pyvrp"))
        if oracle is None:
            assert result.status == "no_solution", f"seed {seed}: a plan where none exists"
            continue
        solved += 1
        assert result.check is not None and result.check.feasible, f"seed {seed}"
        assert result.objective >= oracle[0] - 1e-6, f"seed {seed}: below the brute-force optimum"
        equal += abs(result.objective - oracle[0]) < 1e-6
    assert solved >= 20 and equal == solved, f"optimal on {equal} of {solved}"


def test_pyvrp_on_a_priced_fleet_is_deterministic_for_a_seed() -> None:
    instance = priced_fleet({"cheap": 2, "dear": 3, "big": 1})
    auto = SearchParams(engine=EngineSettings("auto", pyvrp_stall_iterations=50, own_stall_iterations=50))
    for params in (engine("pyvrp"), auto):
        runs = [solve_heuristic(instance, time_limit=30, seed=5, max_iterations=400, params=params) for _ in range(2)]
        assert runs[0].plan == runs[1].plan and runs[0].message == runs[1].message
    assert "PyVRP round" in runs[0].message  # auto ran PyVRP on the priced fleet


def test_auto_is_deterministic_for_a_seed_with_an_iteration_budget(hub60: dict) -> None:
    """Counted stall rules: PyVRP and the own search take turns (several rounds) and repeat exactly."""
    instance = instance_from_dict(hub60)
    params = SearchParams(engine=EngineSettings("auto", pyvrp_stall_iterations=100, own_stall_iterations=100))
    runs = [solve_heuristic(instance, time_limit=60, seed=7, max_iterations=1500, params=params) for _ in range(2)]
    assert runs[0].plan is not None and check_plan(instance, runs[0].plan).feasible
    assert runs[0].plan == runs[1].plan and runs[0].message == runs[1].message
    assert "PyVRP rounds" in runs[0].message and "1,500 iterations" in runs[0].message


def test_auto_opens_with_independent_pyvrp_starts_and_keeps_their_best(
    hub60: dict, caplog: pytest.LogCaptureFixture
) -> None:
    """The opening's three rounds are PyVRP runs from their own random starts (seeds 7, 8, 9, each for
    its share of the opening's budget), not one run resumed from its best: after them the best so far is
    the best of the three runs made alone, which differ (so a resumed run would show)."""
    instance = instance_from_dict(hub60)
    settings = EngineSettings(
        "auto", pyvrp_starts=3, opening_share=0.5, pyvrp_stall_iterations=100, own_stall_iterations=100
    )
    with caplog.at_level(logging.INFO, logger="milp_milkrun.heuristics"):
        result = solve_heuristic(
            instance, time_limit=60, seed=7, max_iterations=600, log=True, params=SearchParams(engine=settings)
        )
    p = compile_problem(instance, vehicle_rates(instance, route_costs(instance)))
    model = build_model(p)
    alone = []
    for seed in (7, 8, 9):
        run = run_pyvrp(p, model, PhaseStop(math.inf, max_iterations=100, stall_iterations=100), seed)
        assert run.best is not None
        alone.append(run.best.cost)
    opening = [float(m.group(1)) for m in OPENING_ROUND.finditer(caplog.text)]
    assert len(opening) == 3 and len(set(alone)) > 1
    assert opening == pytest.approx([min(alone[: k + 1]) for k in range(3)], abs=1e-3)  # the log prints 3 decimals
    assert result.objective is not None and result.objective <= min(alone) + 1e-9


def test_auto_opens_without_independent_starts_from_opening_below_dcs(
    hub60: dict, caplog: pytest.LogCaptureFixture
) -> None:
    """From ``opening_below_dcs`` DCs on (large hubs, where a start's share of the time is too short) auto
    is one PyVRP trajectory from its first round on: no round from its own random start."""
    instance = instance_from_dict(hub60)
    settings = EngineSettings("auto", opening_below_dcs=len(instance.dcs), pyvrp_stall_iterations=100)
    assert settings.starts_for(len(instance.dcs)) == 0 and settings.starts_for(len(instance.dcs) - 1) == 4
    with caplog.at_level(logging.INFO, logger="milp_milkrun.heuristics"):
        solve_heuristic(
            instance, time_limit=60, seed=7, max_iterations=600, log=True, params=SearchParams(engine=settings)
        )
    assert "PyVRP round 1:" in caplog.text and not OPENING_ROUND.search(caplog.text)


def test_cli_engine_pyvrp_on_a_time_instance_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        monkeypatch, capsys, "heuristic", str(INSTANCES / "ecom74_tw.json"), "--engine", "pyvrp", "--quiet"
    )
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "error: engine: PyVRP does not state time windows on a chain of consecutive DCs (DC55, DC24); use --engine auto or own"
    ]


def test_cli_engine_auto_on_a_time_instance_says_it_ran_the_own_search(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "heuristic",
        str(INSTANCES / "ecom74_tw.json"),
        "--time-limit",
        "5",
        "--max-iterations",
        "300",
        "--quiet",
    )
    assert code == 0 and "engine auto ran the own search alone" in out


def test_cli_unknown_engine_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "heuristic", str(INSTANCES / "toy6.json"), "--engine", "hgs")
    assert code == 2 and out == "" and err == "error: engine: must be one of auto, own, pyvrp, got 'hgs'\n"


@pytest.mark.parametrize(
    "settings",
    [
        {"own_phase_share": 0.0},
        {"own_phase_share": 1.5},
        {"pyvrp_stall_share": 0.0},
        {"polish_share": 1.0},
        {"pyvrp_starts": 0},
        {"opening_share": 1.0},
    ],
)
def test_engine_shares_out_of_range_name_the_engine(settings: dict) -> None:
    with pytest.raises(InputError) as raised:
        EngineSettings("auto", **settings)
    assert raised.value.field == "engine" and next(iter(settings)) in str(raised.value)
