"""LP bounds of the three formulations side by side: the lesson of why the MTZ model is weak.

Each formulation has the same feasible plans, but their LP relaxations differ widely: the exact
three-index model with big-M MTZ rows (Equations 1-14) gives a bound far below the optimum, the
strong model (vehicle classes, lifted resources) much less so, and the route-based set-partitioning
model (one column per feasible route, by column generation) is usually within a few percent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from milp_milkrun.instance import Instance
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.highs_handoff import hand_off
from milp_milkrun.models.strong import build_strong_model
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.runtime.highs import run_interruptibly
from milp_milkrun.timing import ENGINES_STATING_TIME


@dataclass(frozen=True)
class Relaxation:
    """The LP bound of one formulation (``None`` when not solved in time), its size and how long it took."""

    model: str
    bound: float | None
    columns: int
    rows: int
    seconds: float
    note: str = ""


def _solve_lp(highs: highspy.Highs, seconds: float) -> float | None:
    run_interruptibly(highs, time.perf_counter() + seconds)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(highs.getInfo().objective_function_value)


def exact_relaxation(instance: Instance, time_limit: float) -> Relaxation:
    """The LP relaxation of the exact model (Equations 1-14), every x^t_ij in [0, 1].

    Parameters
    ----------
    instance : Instance
        The instance to build.
    time_limit : float
        Seconds for the LP.

    Returns
    -------
    Relaxation
        Its bound (None when not solved in time), size and time.
    """
    started = time.perf_counter()
    run = hand_off(build_exact_model(instance))
    highs = run.highs
    n = highs.getNumCol()
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kContinuous] * n))
    bound = _solve_lp(highs, time_limit)
    return Relaxation("exact (three-index, MTZ)", bound, n, highs.getNumRow(), time.perf_counter() - started)


def strong_relaxation(instance: Instance, time_limit: float) -> Relaxation:
    """The LP relaxation of the strong model before any capacity cut.

    Parameters
    ----------
    instance : Instance
        The instance to build.
    time_limit : float
        Seconds for the LP.

    Returns
    -------
    Relaxation
        Its bound (None when not solved in time), size and time.
    """
    started = time.perf_counter()
    model = build_strong_model(instance)
    highs = model.to_highs(relax=True)
    bound = _solve_lp(highs, time_limit)
    return Relaxation(
        f"strong ({model.kind}, no cuts yet)",
        bound,
        highs.getNumCol(),
        highs.getNumRow(),
        time.perf_counter() - started,
    )


def route_relaxation(instance: Instance, time_limit: float) -> Relaxation:
    """The set-partitioning LP by column generation: its certified (Lagrangian) bound.

    Parameters
    ----------
    instance : Instance
        The instance to build.
    time_limit : float
        Seconds for the column generation.

    Returns
    -------
    Relaxation
        Its bound (None when none was certified in time), size and time.
    """
    started = time.perf_counter()
    cg = route_lower_bound(instance, time_limit)
    note = "LP optimal over all routes" if cg.converged else "not converged in time: Lagrangian bound"
    bound = cg.bound if cg.bound > -float("inf") else None
    return Relaxation(
        "route-based (set partitioning)",
        bound,
        len(cg.master.columns),
        cg.master.highs.getNumRow(),
        time.perf_counter() - started,
        note,
    )


def compare_relaxations(instance: Instance, time_limit: float = 30.0) -> list[Relaxation]:
    """The LP bounds of the exact, strong and route-based models, each given ``time_limit`` seconds.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Seconds for each of the three LPs.

    Returns
    -------
    list[Relaxation]
        Exact, strong and route-based, in that order; for an instance with time only the models that
        state time (:data:`~milp_milkrun.timing.ENGINES_STATING_TIME`).
    """
    models = {"exact": exact_relaxation, "strong": strong_relaxation, "routes": route_relaxation}
    return [
        relax(instance, time_limit)
        for key, relax in models.items()
        if not instance.has_time or key in ENGINES_STATING_TIME
    ]


def relaxation_table(instance: Instance, relaxations: list[Relaxation], optimum: float | None = None) -> str:
    """The side-by-side table of the formulations' LP bounds.

    Parameters
    ----------
    instance : Instance
        The instance (for its distance unit).
    relaxations : list[Relaxation]
        One per formulation.
    optimum : float, optional
        A known plan cost: each bound's gap to it is shown.

    Returns
    -------
    str
        The table as plain text.
    """
    unit = instance.distance_unit
    head = f"{'model':<34}{'LP bound':>12}{'columns':>10}{'rows':>9}{'seconds':>9}"
    if optimum is not None:
        head += f"{'gap to plan':>13}"
    lines = [f"LP relaxations of {instance.name} ({unit})", "", head]
    for r in relaxations:
        value = "-" if r.bound is None else f"{r.bound:,.1f}"
        line = f"{r.model:<34}{value:>12}{r.columns:>10,}{r.rows:>9,}{r.seconds:>9.1f}"
        if optimum is not None:
            line += f"{'-' if r.bound is None else f'{100 * (optimum - r.bound) / optimum:.1f}%':>13}"
        lines.append(line + (f"  {r.note}" if r.note else ""))
    lines += [
        "",
        "Same feasible plans, different LP bounds: the big-M MTZ rows (14) let fractional x spread",
        "over many vehicles, which is why the exact model's bound is weak and its search slow.",
    ]
    return "\n".join(lines)
