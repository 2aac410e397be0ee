"""``milkrun solve``: status, bound and gap, the route table, and the plan's totals."""

from __future__ import annotations

from collections import Counter

from milp_milkrun.checker import CheckReport
from milp_milkrun.instance import Instance
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.reports.instance_summary import number, percent
from milp_milkrun.result import SolveResult

STATUS_WORDS = {
    "optimal": "OPTIMAL (proven within the requested gap)",
    "feasible": "FEASIBLE (a plan; optimality not proven)",
    "infeasible": "INFEASIBLE (proven: no plan satisfies every constraint)",
    "no_solution": "NO SOLUTION (stopped before any plan was found)",
}


def solve_table(instance: Instance, result: SolveResult) -> str:
    """Everything a planner needs from one run, in plain text.

    Parameters
    ----------
    instance : Instance
        The instance that was solved.
    result : SolveResult
        The run's result.

    Returns
    -------
    str
        Status, model, seed, objective, bound, gap and runtime, the notes, then the route table and
        the totals when there is a plan.
    """
    lines = [f"{STATUS_WORDS[result.status]}    model {result.model} / {result.backend}, seed {result.seed}"]
    lines.append(
        f"objective ({result.objective_kind}) {_maybe(result.objective)}  bound {_maybe(result.bound)}  gap {_gap(result.gap)}  "
        f"runtime {result.runtime_s:.1f} s"
    )
    if result.message:
        lines.append(f"note: {result.message}")
    if result.check is not None:
        lines += ["", check_table(instance, result.check), "", *plan_totals(instance, result.check)]
    return "\n".join(lines)


def plan_totals(instance: Instance, check: CheckReport) -> list[str]:
    """Total distance, vehicles used by type and utilisation (the seed reports 93% for its plan).

    Parameters
    ----------
    instance : Instance
        The instance of the plan.
    check : CheckReport
        The checker's report of the plan.

    Returns
    -------
    list[str]
        One line per total.
    """
    used = Counter(r.vehicle_type for r in check.routes)
    fleet = ", ".join(
        f"{vt.name} {used.get(vt.name, 0)}/{'unlimited' if vt.unlimited else vt.count}" for vt in instance.vehicle_types
    )
    load = sum(r.load for r in check.routes)
    capacity = sum(r.capacity or 0.0 for r in check.routes)
    shares = [r.utilisation for r in check.routes if r.utilisation is not None]
    mean_share = sum(shares) / len(shares) if shares else 0.0
    costs = [f"total cost       {number(check.cost)}"] if _has_costs(instance) else []
    return [
        f"total distance   {number(check.distance)} {instance.distance_unit}",
        *costs,
        f"vehicles used    {len(check.routes)} ({fleet})",
        f"utilisation      {percent(load, capacity)} (load {number(load)} / capacity of used vehicles "
        f"{number(capacity)}); mean per vehicle {100 * mean_share:.0f}%",
    ]


def _has_costs(instance: Instance) -> bool:
    """True when a vehicle type has a fixed cost or a cost per km other than 1 (cost differs from distance)."""
    return instance.objective == "cost" or any(vt.fixed_cost or vt.cost_per_km != 1.0 for vt in instance.vehicle_types)


def _maybe(value: float | None) -> str:
    return "-" if value is None else number(value)


def _gap(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.2f}%"
