"""Solving the route engine's master (milp_milkrun/routes/master_lp.py)."""

from __future__ import annotations

import time

from bruteforce import random_tiny_instance

from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.master_lp import solve_lp


def test_the_master_lp_solves_within_a_limit_shorter_than_its_past_runs() -> None:
    """The master's HiGHS object lives for the whole run: late in it, the time left is shorter than the time its LPs
    took in all, and the next LP must still get that time (HiGHS's clock runs on across runs)."""
    cg = ColumnGeneration(random_tiny_instance(12), time.perf_counter() + 60)
    assert cg.run().converged
    h = cg.master.highs
    while h.getRunTime() < 0.3:
        h.clearSolver()
        h.run()
    h.clearSolver()  # the next LP has work to do (as after new columns), so HiGHS looks at its clock
    solved = solve_lp(cg.master, 0.1)
    assert solved is not None and abs(solved.value - cg.lp_value) <= 1e-6 * max(1.0, abs(cg.lp_value))
