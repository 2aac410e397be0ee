"""The branching rule of the route engine's tree (milp_milkrun/routes/branching.py)."""

from __future__ import annotations

import math
import time

import pytest
from bruteforce import random_tiny_instance

from milp_milkrun.routes import branching
from milp_milkrun.routes.branching import BranchingRule, describe
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.settings import RouteSettings


def converged_root(seed: int) -> ColumnGeneration:
    cg = ColumnGeneration(random_tiny_instance(seed), time.perf_counter() + 60)
    assert cg.run().converged
    return cg


def test_strong_branching_picks_the_candidate_whose_branches_both_rise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product rule: a candidate raising both branches by 2 beats one raising a single branch by 10."""
    cg = ColumnGeneration(random_tiny_instance(0), time.perf_counter() + 60)
    rule = BranchingRule(cg.master, RouteSettings(), time.perf_counter() + 60, 60.0)
    one_sided, balanced = (frozenset({(1, 2), (2, 1)}), None), (frozenset({(1, 3), (3, 1)}), None)
    rises = {
        (one_sided[0], False): 0.0,
        (one_sided[0], True): 10.0,
        (balanced[0], False): 2.0,
        (balanced[0], True): 2.0,
    }
    monkeypatch.setattr(
        branching,
        "trial_lp_value",
        lambda master, row, lower, upper, limit: 100.0 + rises[(row.arcs, math.isfinite(lower))],
    )
    assert rule.strongest([(one_sided, 0.5), (balanced, 0.4)], 100.0) == (balanced, 0.4)


# tiny instances whose root LP is fractional: 12, 13, 16 in a vehicle count, 155 and 229 (all counts whole) in edges
@pytest.mark.parametrize("seed", [12, 13, 16, 155, 229])
def test_the_rule_branches_on_a_fractional_count_or_flow_of_the_lp(seed: int) -> None:
    """The chosen row's value is the LP's: a class's vehicle count (every arc out of the hub) or an edge's flow, both
    ways, and it is fractional; a class's count is taken before any edge."""
    cg = converged_root(seed)
    master, values = cg.master, cg.master.route_values()
    counts = [
        sum(v for c, v in zip(master.columns, values) if c.vehicle_class == q) for q in range(len(master.classes))
    ]
    x = master.arc_flows()  # before strong branching's trial LPs leave the master at other solutions
    rule = BranchingRule(master, RouteSettings(), time.perf_counter() + 60, 60.0).row(values, cg.lp_value)
    assert rule is not None
    (arcs, k), value = rule
    assert value == pytest.approx(counts[k] if k is not None else sum(x[i, j] for i, j in arcs))
    assert abs(value - round(value)) > 1e-6
    if k is None:
        assert all(abs(c - round(c)) <= 1e-6 for c in counts)
        assert len(arcs) == 2 and {(j, i) for i, j in arcs} == arcs
        assert "the edge" in describe((arcs, k), master, cg.instance.node_ids)
    else:
        assert arcs == frozenset((0, j) for j in range(1, master.n_dcs + 1))
        assert describe((arcs, k), master, cg.instance.node_ids) == f"the vehicles of class {master.classes[k].name}"
