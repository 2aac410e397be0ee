"""Solving the exact model with HiGHS: optima against brute force, binding side constraints, time
limits, Ctrl-C, MIP starts, infeasibility, and the `milkrun solve` command."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.plan import Plan
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.highs import solve_exact_highs

REPO = Path(__file__).resolve().parents[1]
QUIET = SolveOptions(log=False, time_limit=30)


@pytest.mark.parametrize("seed", range(24))
def test_optimum_equals_brute_force(seed: int) -> None:
    instance = random_tiny_instance(seed)
    expected = brute_force(instance)
    result = solve(instance, options=QUIET)
    if expected is None:
        assert result.status == "infeasible" and result.plan is None
    else:
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected[0], abs=1e-6)
        assert result.bound == pytest.approx(expected[0], abs=1e-3 * expected[0])
        assert result.check is not None and result.check.feasible


# ----- each side constraint binds: the optimum rises, and matches brute force --------------------
def _square(**changes: object) -> Instance:
    """Four DCs of demand 4 in two pairs left and right of the hub; one big (16) and two small (8) vehicles.
    Without side constraints the big vehicle serves all four in one tour of length 52."""
    spec: dict[str, object] = dict(
        name="square",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 4, 10, 0), DC("B", 4, 10, 6), DC("C", 4, -10, 0), DC("D", 4, -10, 6)],
        vehicle_types=[VehicleType("big", 1, 16), VehicleType("small", 2, 8)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
    )
    spec.update(changes)
    return build_instance(**spec)  # type: ignore[arg-type]


BINDING = {
    "forbidden": dict(forbidden=[{"dc": "A", "vehicle_type": "big"}]),
    "consecutive": dict(consecutive=[["A", "C"]]),
    "damaged": dict(damaged_roads=[["A", "B"]]),
    "distance limit": dict(vehicle_types=[VehicleType("big", 1, 16, max_distance=45), VehicleType("small", 2, 8)]),
    "stop limit": dict(vehicle_types=[VehicleType("big", 1, 16, max_stops=2), VehicleType("small", 2, 8)]),
    "capacity": dict(vehicle_types=[VehicleType("big", 1, 12), VehicleType("small", 2, 8)]),
}


@pytest.mark.parametrize("constraint", BINDING)
def test_side_constraint_binds_and_changes_the_optimum(constraint: str) -> None:
    free = solve(_square(), options=QUIET)
    bound = _square(**BINDING[constraint])
    constrained = solve(bound, options=QUIET)
    expected = brute_force(bound)
    assert free.status == constrained.status == "optimal" and expected is not None
    assert constrained.objective == pytest.approx(expected[0])
    assert constrained.objective > free.objective + 1e-6
    assert not check_plan(bound, free.plan).feasible  # the unconstrained optimum breaks the rule


# ----- time limit, Ctrl-C, MIP start ---------------------------------------------------------------
def _random_instance(n_dcs: int, seed: int = 7) -> Instance:
    """Random DCs around a hub; enough small vehicles that every DC may get its own."""
    rng = random.Random(seed)
    dcs = [DC(f"D{k}", rng.randint(1, 9), rng.randint(0, 100), rng.randint(0, 100)) for k in range(1, n_dcs + 1)]
    return build_instance(
        name=f"random{n_dcs}",
        hub=Site("H", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("big", 3, 40, max_stops=10), VehicleType("small", n_dcs, 20, max_distance=300)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
    )


def _one_dc_per_vehicle(instance: Instance) -> Plan:
    """A feasible but poor plan: every DC on its own vehicle (the instances below have enough)."""
    return Plan.from_routes((v.name, [dc.id]) for v, dc in zip(instance.vehicles, instance.dcs))


@pytest.mark.slow
def test_solve_stops_within_its_time_limit() -> None:
    instance = _random_instance(28)
    result = solve_exact_highs(instance, SolveOptions(time_limit=2, log=False))
    assert result.runtime_s < 2 + 10  # generous: building and reading the result on a loaded machine
    assert result.status in ("feasible", "no_solution", "optimal")
    if result.bound is not None and result.objective is not None:  # HiGHS may stop in presolve, boundless
        assert result.bound <= result.objective


def test_warm_start_is_accepted_and_never_beaten_by_a_worse_final_plan() -> None:
    instance = _random_instance(7)
    start = _one_dc_per_vehicle(instance)
    start_objective = check_plan(instance, start).objective
    result = solve(instance, model="exact", options=SolveOptions(log=False, time_limit=5, warm_start=start))
    assert "MIP start solution is feasible" in result.message
    assert result.objective is not None and result.objective <= start_objective + 1e-6


@pytest.mark.slow
def test_warm_start_survives_a_short_time_limit() -> None:
    instance = _random_instance(28)
    start = _one_dc_per_vehicle(instance)
    start_objective = check_plan(instance, start).objective
    result = solve(instance, options=SolveOptions(log=False, time_limit=1, warm_start=start))
    assert result.status in ("feasible", "optimal")
    assert result.objective <= start_objective + 1e-6


def test_infeasible_warm_start_is_ignored_with_a_note() -> None:
    instance = _random_instance(6)
    broken = Plan.from_routes([("big-1", [dc.id for dc in instance.dcs[:3]])])  # misses three DCs
    result = solve(instance, model="exact", options=SolveOptions(log=False, warm_start=broken))
    assert "warm start ignored" in result.message and result.status == "optimal"


@pytest.mark.slow
def test_ctrl_c_returns_the_best_plan_and_bound_so_far() -> None:
    """SIGINT arrives once HiGHS prints its branch-and-bound table; the solve returns instead of dying."""

    class InterruptOnTable:
        sent = False

        def write(self, text: str) -> int:
            if "BestBound" in text and not self.sent:
                self.sent = True
                os.kill(os.getpid(), signal.SIGINT)
            return len(text)

        def flush(self) -> None:
            pass

    instance = _random_instance(14)
    stream = InterruptOnTable()
    with show_log(stream):  # type: ignore[arg-type]
        result = solve(
            instance,
            model="exact",
            options=SolveOptions(time_limit=60, log=True, warm_start=_one_dc_per_vehicle(instance)),
        )
    assert stream.sent
    assert "interrupted" in result.message
    assert result.bound is not None and result.bound <= result.objective
    assert result.runtime_s < 30
    assert result.plan is not None and result.check is not None and result.check.feasible


def test_ctrl_c_while_building_returns_the_warm_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import milp_milkrun.solve.highs as backend

    def interrupted(instance: Instance, costs: object = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(backend, "build_exact_model", interrupted)
    instance = _random_instance(6)
    start = _one_dc_per_vehicle(instance)
    result = solve_exact_highs(instance, SolveOptions(log=False, warm_start=start))
    assert result.status == "feasible" and result.plan == start and result.bound is None
    assert "interrupted by Ctrl-C while building" in result.message
    assert solve_exact_highs(instance, SolveOptions(log=False)).status == "no_solution"


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("gap", {"gap": -0.1}),
        ("threads", {"threads": -2}),
        ("time_limit", {"time_limit": -1}),
        ("time_limit", {"time_limit": float("nan")}),
        ("seed", {"seed": -5}),
    ],
)
def test_options_no_backend_can_honour_are_input_errors_naming_the_field(field: str, bad: dict[str, float]) -> None:
    from milp_milkrun.errors import InputError

    with pytest.raises(InputError) as raised:
        SolveOptions(**bad)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_cli_rejects_a_negative_time_limit_with_exit_2() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from milp_milkrun.cli import main; main()",
            "solve",
            "instances/toy6.json",
            "--time-limit",
            "-1",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2 and "--time-limit" in proc.stderr and "Traceback" not in proc.stderr


# ----- infeasibility ---------------------------------------------------------------------------------
def test_highs_proof_of_infeasibility_names_the_families_of_an_iis() -> None:
    """Too little capacity (not caught by solve()'s pre-checks here, since we call the backend
    directly): the LP relaxation is infeasible and its IIS involves (3) and (5)."""
    instance = build_instance(
        name="short",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 8, 10, 0), DC("B", 8, 0, 10), DC("C", 3, 5, 5)],
        vehicle_types=[VehicleType("van", 2, 9)],
        distance_spec=DistanceSpec("euclidean"),
    )
    result = solve_exact_highs(instance, QUIET)
    assert result.status == "infeasible" and result.plan is None
    assert "HiGHS proved" in result.message and "eq05_capacity" in result.message


def test_infeasible_by_integrality_is_said_plainly() -> None:
    """B must follow A, the hub road to A is damaged, so A needs a predecessor DC: only C is left, which
    the big vehicle may not serve, and the small one may not make the resulting three stops. The pre-checks
    pass, the LP relaxation is feasible, and HiGHS proves infeasibility by branching."""
    instance = build_instance(
        name="integral",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 2, 10, 0), DC("B", 5, 10, 10), DC("C", 3, 0, 10)],
        vehicle_types=[VehicleType("big", 1, 9, max_stops=3), VehicleType("small", 2, 10, max_stops=2)],
        distance_spec=DistanceSpec("euclidean"),
        forbidden=[{"dc": "C", "vehicle_type": "big"}],
        consecutive=[["A", "B"]],
        damaged_roads=[["H", "A"]],
    )
    assert brute_force(instance) is None
    assert solve(instance, options=QUIET).status == "infeasible"  # the default model proves it too
    result = solve(instance, model="exact", options=QUIET)
    assert result.status == "infeasible" and result.plan is None
    assert "HiGHS proved that no plan satisfies every constraint" in result.message
    assert "LP relaxation is feasible" in result.message


# ----- the command line --------------------------------------------------------------------------------
def _milkrun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "milp_milkrun.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_cli_solve_json_is_valid_json_with_the_log_on_stderr(tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.json"
    done = _milkrun(
        "solve",
        "instances/toy6.json",
        "--model",
        "exact",
        "--json",
        "--log",
        "--time-limit",
        "20",
        "--output",
        str(plan_path),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["status"] == "optimal" and data["gap"] == pytest.approx(0.0, abs=1e-6)
    assert {"vehicle", "type", "stops", "load", "distance"} <= set(data["routes"][0])
    assert "Solving report" in done.stderr and "warm start: heuristic" in done.stderr  # the log went to stderr
    assert json.loads(plan_path.read_text())["routes"]


def test_cli_solve_table_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "routes.png"
    done = _milkrun("solve", "instances/toy6.json", "--quiet", "--plot", str(png))
    assert done.returncode == 0, done.stderr
    assert "OPTIMAL" in done.stdout and "utilisation" in done.stdout and "seed 20230718" in done.stdout
    assert png.stat().st_size > 10_000


def test_cli_solve_exits_1_without_a_plan(tmp_path: Path) -> None:
    instance = tmp_path / "short.json"
    instance.write_text(
        json.dumps(
            {
                "name": "short",
                "hub": {"id": "H", "x": 0, "y": 0},
                "dcs": [{"id": "A", "x": 1, "y": 0, "demand": 8}, {"id": "B", "x": 0, "y": 1, "demand": 8}],
                "vehicle_types": [{"name": "van", "count": 1, "capacity": 10}],
                "distances": {"metric": "euclidean", "round": "none"},
            }
        )
    )
    done = _milkrun("solve", str(instance), "--quiet")
    assert done.returncode == 1
    assert "INFEASIBLE" in done.stdout and "exceeds the capacity of the whole fleet" in done.stdout


def test_cli_inspect_writes_a_model_file(tmp_path: Path) -> None:
    lp = tmp_path / "model.lp"
    done = _milkrun("inspect", "instances/toy6.json", "--write", str(lp))
    assert done.returncode == 0, done.stderr
    assert "eq14_mtz" in done.stdout and lp.exists()
