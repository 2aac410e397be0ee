"""Never worse than the MIP start, implemented once in make_result for every backend."""

from __future__ import annotations

import pytest

from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, make_result

BEST = Plan.from_routes([("van-1", ["A", "B", "C"])])  # 6 + 6 = 12
WORSE = Plan.from_routes([("van-1", ["A"]), ("van-2", ["B"]), ("van-3", ["C"])])  # 4 + 8 + 12 = 24


@pytest.fixture(scope="module")
def line() -> Instance:
    return build_instance(
        name="line",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 1, 2, 0), DC("B", 1, 4, 0), DC("C", 1, 6, 0)],
        vehicle_types=[VehicleType("van", 3, 10)],
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
    )


def _result(instance: Instance, **kwargs: object):
    defaults = dict(status="feasible", plan=WORSE, bound=10.0, runtime_s=0.0)
    return make_result(RunContext(instance, "exact", "test", seed=1, started=0.0), **{**defaults, **kwargs})


def test_a_worse_plan_gives_way_to_the_start_and_says_so(line: Instance) -> None:
    r = _result(line, start=BEST)
    assert (r.plan, r.objective, r.status) == (BEST, 12.0, "feasible")
    assert "kept the warm start (12)" in r.message


def test_no_plan_with_a_start_is_the_start_and_its_bound_may_prove_it(line: Instance) -> None:
    r = _result(line, status="no_solution", plan=None, bound=12.0, start=BEST)
    assert (r.plan, r.status) == (BEST, "optimal")


def test_a_better_plan_is_kept_and_a_broken_start_is_ignored(line: Instance) -> None:
    assert _result(line, plan=BEST, start=WORSE).plan == BEST
    broken = Plan.from_routes([("van-1", ["A"])])  # misses B and C
    assert _result(line, plan=WORSE, start=broken).plan == WORSE


def test_infeasible_against_a_checked_start_is_a_bug(line: Instance) -> None:
    with pytest.raises(CheckFailedError):
        _result(line, status="infeasible", plan=None, bound=None, start=BEST)


def test_the_run_context_of_options_carries_seed_gap_and_names(line: Instance) -> None:
    from milp_milkrun.options import SolveOptions

    run = RunContext.of(line, SolveOptions(gap=0.5, seed=7), model="strong", backend="highs", started=0.0)
    r = make_result(run, status="feasible", plan=WORSE, bound=12.5)  # 24 against 12.5: a gap of 48%
    assert (r.status, r.seed, r.model, r.backend, r.objective_kind) == ("optimal", 7, "strong", "highs", "distance")
    assert _result(line, plan=WORSE, bound=12.5).status == "feasible"  # the default context asks for gap 0
    assert r.runtime_s > 0  # measured from ``started`` when not given
