"""The PuLP build of the exact model and its CBC / HiGHS backend."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pulp
import pytest
from bruteforce import brute_force, random_tiny_instance
from model_instances import plane_instance, side_constrained_instance

from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.models.exact_pulp import build_exact_pulp
from milp_milkrun.models.families import EXACT_FAMILIES
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.runtime.highs import GRACE_SECONDS
from milp_milkrun.solve import solve
from milp_milkrun.solve.pulp_backend import _cbc_outcome, cbc_bound, run_until, solve_exact_pulp

QUIET = dict(log=False, gap=0.0)


# ----- the build --------------------------------------------------------------------------------
def test_row_counts_follow_the_formulation() -> None:
    instance = side_constrained_instance()
    n, t = instance.n_dcs, len(instance.vehicles)
    counts = build_exact_pulp(instance).row_counts()
    assert counts == {
        "eq01_objective": 1,
        "eq02_flow_balance": (n + 1) * t,
        "eq02b_single_trip": t,
        "eq03_one_in": n,
        "eq04_one_out": n,
        "eq05_capacity": t,
        "eq06_distance": 2,  # only the big vehicles have a distance limit
        "eq07_stops": 2,
        "eq08_forbidden_in": 3,  # A x {big-1, big-2} and C x small-2
        "eq09_forbidden_out": 3,
        "eq10_consecutive": 1,
        "eq11_damaged": 2,
        "eq12_order_lower": n,
        "eq13_order_upper": n,
        "eq14_mtz": n * (n - 1),
    }


def test_columns_are_every_arc_of_every_vehicle_and_one_order_per_dc() -> None:
    instance = side_constrained_instance()
    n, t = instance.n_dcs, len(instance.vehicles)
    model = build_exact_pulp(instance)
    assert model.column_counts() == {"x": t * (n + 1) * n, "u": n}
    assert all(v.cat == "Integer" and (v.lowBound, v.upBound) == (0, 1) for v in model.x.values())


def test_dropping_a_family_removes_exactly_its_rows() -> None:
    instance = side_constrained_instance()
    full = build_exact_pulp(instance).row_counts()
    dropped = build_exact_pulp(instance, drop_family="eq10_consecutive").row_counts()
    assert dropped == {**full, "eq10_consecutive": 0}


def test_unknown_family_to_drop_is_an_input_error() -> None:
    with pytest.raises(InputError, match="eq99"):
        build_exact_pulp(side_constrained_instance(), drop_family="eq99_nothing")


# ----- solving ------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_optimum_matches_brute_force_with_every_side_constraint(solver: str) -> None:
    instance = side_constrained_instance()
    expected = brute_force(instance)
    assert expected is not None
    result = solve_exact_pulp(instance, SolveOptions(**QUIET), solver)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected[0], rel=1e-9)
    assert result.bound == pytest.approx(expected[0], rel=1e-6)
    assert result.check is not None and result.check.feasible
    assert result.backend == f"pulp-{solver}"


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_infeasible_instance_is_reported_infeasible(solver: str) -> None:
    seed = next(s for s in range(50) if brute_force(random_tiny_instance(s)) is None)
    result = solve_exact_pulp(random_tiny_instance(seed), SolveOptions(**QUIET), solver)
    assert (result.status, result.plan, result.objective) == ("infeasible", None, None)


def test_cbc_honours_its_time_limit_and_reports_an_open_gap_honestly() -> None:
    instance = plane_instance(seed=1, n_dcs=15)  # CBC needs far more than 3 s to prove this optimal
    started = time.perf_counter()
    result = solve_exact_pulp(instance, SolveOptions(time_limit=3, log=False), "cbc")
    elapsed = time.perf_counter() - started
    assert elapsed < 3 + 10  # generous: MPS hand-off, CBC start-up, a loaded machine
    assert result.status in ("feasible", "no_solution")
    if result.status == "feasible":
        assert result.bound is not None and result.bound < result.objective
        assert result.gap is not None and result.gap > 0


def test_cbc_uses_a_warm_start_and_ignores_a_broken_one() -> None:
    instance = side_constrained_instance()
    optimum, plan = brute_force(instance)  # type: ignore[misc]
    warm = solve_exact_pulp(instance, SolveOptions(**QUIET, warm_start=plan), "cbc")
    assert warm.status == "optimal" and warm.objective == pytest.approx(optimum)
    assert f"warm start: a plan of distance {optimum:.6g}" in warm.message
    broken = Plan.from_routes([("big-1", ["A", "B", "C", "D", "E"])])
    result = solve_exact_pulp(instance, SolveOptions(**QUIET, warm_start=broken), "cbc")
    assert "warm start ignored" in result.message and result.status == "optimal"


def test_solve_dispatches_to_the_pulp_backend() -> None:
    instance = side_constrained_instance()
    result = solve(instance, backend="pulp", solver="highs", options=SolveOptions(**QUIET))
    assert result.backend == "pulp-highs" and result.status == "optimal"
    with pytest.raises(InputError, match="unknown solver 'gurobi'"):
        solve(instance, backend="pulp", solver="gurobi", options=SolveOptions(**QUIET))


# ----- reading CBC's log ----------------------------------------------------------------------------
CBC_STOPPED = """Cbc0020I Exiting on maximum time
Cbc0005I Partial search - best objective 555 (best possible 408.02225), took 41212 iterations
Result - Stopped on time limit

Objective value:                555.00000000
Lower bound:                    408.022
"""
CBC_GAP_EXIT = """Cbc0011I Exiting as integer gap of 263.97775 less than 1e-10 or 40%
Cbc0001I Search completed - best objective 672, took 8702 iterations and 179 nodes (3.00 seconds)
Result - Optimal solution found (within gap tolerance)

Objective value:                672.00000000
Lower bound:                    408.022
"""
CBC_PROVEN = """Cbc3007W No integer variables - nothing to do
Result - Optimal solution found

Objective value:                185.00000000
"""
CBC_NO_BOUND = """Result - Stopped on time limit

No feasible solution found
"""


@pytest.mark.parametrize(
    ("log", "bound"),
    [(CBC_STOPPED, 408.02225), (CBC_GAP_EXIT, 672 - 263.97775), (CBC_PROVEN, 185.0), (CBC_NO_BOUND, None)],
)
def test_cbc_bound_is_read_from_the_log_or_left_unknown(log: str, bound: float | None) -> None:
    assert cbc_bound(log) == (None if bound is None else pytest.approx(bound))


def test_every_family_is_built() -> None:
    model = build_exact_pulp(side_constrained_instance())
    assert set(model.rows) == {f.name for f in EXACT_FAMILIES}
    assert all(count > 0 for count in model.row_counts().values())


# CBC 2.10.3 on ecom74 with 12.5 s left: preprocessing, cut short by the limit, claims infeasibility
# although the planted 13-route plan satisfies every row.  Such a claim must not become "infeasible".
CBC_SPURIOUS_INFEASIBLE = """seconds was changed from 1e+100 to 12.5262
Cgl0000I Cut generators found to be infeasible! (or unbounded)
Pre-processing says infeasible or unbounded
Total time (CPU seconds):       17.11   (Wallclock seconds):       36.28
"""
CBC_PROVEN_INFEASIBLE = """seconds was changed from 1e+100 to 20
Problem is infeasible - 0.00 seconds
Total time (CPU seconds):       0.01   (Wallclock seconds):       0.01
"""


@pytest.mark.parametrize(
    ("log", "status"), [(CBC_SPURIOUS_INFEASIBLE, "no_solution"), (CBC_PROVEN_INFEASIBLE, "infeasible")]
)
def test_cbc_infeasibility_is_trusted_only_when_cbc_finished_in_time(log: str, status: str) -> None:
    problem = SimpleNamespace(status=pulp.LpStatusInfeasible, sol_status=pulp.LpSolutionNoSolutionFound)
    outcome = _cbc_outcome(problem, log, gap=1e-4)  # type: ignore[arg-type]
    assert (outcome.status, outcome.has_plan, outcome.bound) == (status, False, None)


# ----- CBC overran its time limit (27.98 s for --time-limit 20) -------------------------
def hub_of(n_dcs: int, seed: int) -> Instance:
    """A generated hub like ecom74 (two types with distance and stop limits, B, P): CBC's preprocessing
    of its exact model runs past CBC's own time limit."""
    rng = random.Random(seed)
    dcs = [DC(f"D{k}", rng.randint(1, 9), rng.randint(0, 100), rng.randint(0, 100)) for k in range(1, n_dcs + 1)]
    return build_instance(
        name=f"hub{n_dcs}",
        hub=Site("H", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("big", 3, 60, 400, 10), VehicleType("small", n_dcs // 6, 25, 250, 5)],
        forbidden=[{"dc": "D1", "vehicle_type": "big"}],
        consecutive=[["D2", "D3"]],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
    )


@pytest.mark.slow
def test_cbc_ends_by_the_time_limit_on_a_generated_hub(tmp_path: Path) -> None:
    """CBC given 1 s after building and writing the model ran its preprocessing for about 5 s more before it
    looked at its clock (ecom74, --time-limit 3: 8.3 s). Now CBC is stopped at the deadline: the run ends
    by the time limit, or by the end of building and writing the model when that alone takes longer (plain
    Python, which no limit stops; measured here on the same hub). The slack covers the stop and a loaded machine."""
    instance = hub_of(74, 1)
    started = time.perf_counter()
    build_exact_pulp(instance).problem.writeMPS(str(tmp_path / "hub.mps"), rename=1)
    preparing = time.perf_counter() - started
    limit = preparing + 1.0  # CBC starts with about a second left, as in the audit's overruns
    started = time.perf_counter()
    result = solve(
        instance, model="exact", backend="pulp", options=SolveOptions(time_limit=limit, **QUIET), heuristic_start=False
    )
    wall = time.perf_counter() - started
    assert wall < limit + GRACE_SECONDS + 1.5, f"{wall:.2f} s for a limit of {limit:.2f} s ({result.message})"
    assert result.status in ("no_solution", "feasible", "optimal")


def test_a_solver_process_that_ignores_its_limit_is_stopped_then_killed(tmp_path: Path) -> None:
    """run_until: a process that ends on SIGINT is 'stopped' at the deadline, one that ignores it 'killed'
    GRACE_SECONDS later; one that ends first is left alone. Nothing outlives the call."""
    log = str(tmp_path / "log.txt")
    sleeper = "import signal, time\n{}\ntime.sleep(30)"
    ignores = [sys.executable, "-c", sleeper.format("signal.signal(signal.SIGINT, signal.SIG_IGN)")]
    obeys = [sys.executable, "-c", sleeper.format("signal.signal(signal.SIGINT, lambda *_: exit(0))")]
    for args, expected in ((ignores, "killed"), (obeys, "stopped"), ([sys.executable, "-c", "pass"], "")):
        started = time.perf_counter()
        assert run_until(args, log, started + 1.0) == expected
        assert time.perf_counter() - started < 1.0 + GRACE_SECONDS + 1.0
