"""The result of any solve (exact model, strong model, heuristic), always re-verified by the checker.

Below every engine (it imports the data layer, the checker, the objectives and the emissions report),
so the heuristic and ``solve`` both build results here; ``milp_milkrun.solve`` re-exports
:class:`SolveResult`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from milp_milkrun.checker import CheckReport, check_plan, verify_plan
from milp_milkrun.emissions.accounting import plan_emissions
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.objectives import RouteCosts
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan

Status = Literal["optimal", "feasible", "infeasible", "no_solution"]


@dataclass(frozen=True)
class SolveResult:
    """Status, objective, best bound and gap of a run, and its plan as verified by the checker.

    ``status`` is ``optimal`` (proven within the requested gap), ``feasible`` (a plan, gap open),
    ``infeasible`` (proven: no plan exists) or ``no_solution`` (stopped before any plan was found).
    """

    status: Status
    objective: float | None
    bound: float | None
    runtime_s: float
    plan: Plan | None
    check: CheckReport | None
    model: str
    backend: str
    seed: int
    message: str = ""
    interrupted: bool = False  # the user pressed Ctrl-C: the plan and bound are the best found so far
    objective_kind: str = "distance"  # what objective and bound measure: distance, cost or emissions

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / objective, the convention HiGHS and CBC print."""
        if self.objective is None or self.bound is None:
            return None
        if abs(self.objective) < 1e-12:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` form of ``milkrun solve``.

        Returns
        -------
        dict[str, object]
            Status, objective (and what it measures), distance, cost, bound, gap, routes, runtime, model,
            backend, seed and message.
        """
        routes = []
        if self.check is not None:
            routes = [
                {
                    "vehicle": r.vehicle,
                    "type": r.vehicle_type,
                    "stops": list(r.stops),
                    "load": r.load,
                    "distance": r.distance,
                    "cost": r.cost,
                }
                for r in self.check.routes
            ]
        return {
            "status": self.status,
            "objective_kind": self.objective_kind,
            "objective": self.objective,
            "distance": self.check.distance if self.check is not None else None,
            "cost": self.check.cost if self.check is not None else None,
            "bound": self.bound,
            "gap": self.gap,
            "routes": routes,
            "runtime_s": self.runtime_s,
            "model": self.model,
            "backend": self.backend,
            "seed": self.seed,
            "message": self.message,
        }


@dataclass(frozen=True)
class RunContext:
    """What a run is: filled once by the engine that runs it, read by :func:`make_result`.

    Attributes
    ----------
    instance : Instance
        The instance solved.
    model, backend : str
        Reported with the result, and named when one of its plans fails the checker.
    seed : int
        The run's seed.
    started : float
        ``time.perf_counter()`` when the run's time limit began; the result's runtime is measured from it.
    requested_gap : float
        The relative gap at which the result counts as ``optimal``.
    costs : RouteCosts or None
        The objective the solver minimised; None means the instance's own (distance or cost).
    """

    instance: Instance
    model: str
    backend: str
    seed: int
    started: float
    requested_gap: float = 0.0
    costs: RouteCosts | None = None

    @classmethod
    def of(cls, instance: Instance, options: SolveOptions, *, model: str, backend: str, started: float) -> RunContext:
        """The context of a run of ``options`` on ``instance`` (its seed, gap and objective).

        Parameters
        ----------
        instance : Instance
            The instance solved.
        options : SolveOptions
            The run's options.
        model, backend : str
            The names the result reports.
        started : float
            ``time.perf_counter()`` when the time limit began.

        Returns
        -------
        RunContext
            The context :func:`make_result` reads.
        """
        return cls(instance, model, backend, options.seed, started, options.gap, options.costs(instance))

    def elapsed(self) -> float:
        """Seconds since :attr:`started`.

        Returns
        -------
        float
            ``time.perf_counter() - started``.
        """
        return time.perf_counter() - self.started


def make_result(
    run: RunContext,
    *,
    status: Status,
    plan: Plan | None,
    bound: float | None,
    message: str = "",
    interrupted: bool = False,
    start: Plan | None = None,
    runtime_s: float | None = None,
) -> SolveResult:
    """Build a result whose status is derived, never copied from the solver.

    Parameters
    ----------
    run
        The instance, names, seed, requested gap and objective of the run (:class:`RunContext`). The
        result is ``optimal`` only when the checker's objective and ``bound`` are within
        ``run.requested_gap`` (or within :data:`~milp_milkrun.limits.SOLVER_TOLERANCE`).
    status
        What the solver *claims*. ``infeasible`` is kept only without a plan; ``optimal`` and
        ``feasible`` become whatever the checked plan and the bound prove.
    plan, bound
        The best plan and a certified lower bound on the optimum (None when there is none).
    message, interrupted
        Reported as given; a note is added to ``message`` when the solver claimed more than it proved.
    start
        The MIP start the solver received: when it passes the checker and ``plan`` is missing or
        longer, the start is the result's plan (and the message says so); a claim of infeasibility
        against it raises :class:`~milp_milkrun.errors.CheckFailedError`.
    runtime_s
        The runtime to report (default: :meth:`RunContext.elapsed`).

    Returns
    -------
    SolveResult
        The plan passed through the independent checker. The objective is recomputed without the
        solver's number: distance and cost by the checker, emissions by the ISO 14083 report. A plan
        that fails the check raises :class:`~milp_milkrun.errors.CheckFailedError`.
    """
    instance, costs = run.instance, run.costs
    runtime_s = run.elapsed() if runtime_s is None else runtime_s
    kind = costs.objective.value if costs is not None else instance.objective
    value = _measure(instance, kind, costs)
    check = verify_plan(instance, plan, source=f"{run.model}/{run.backend}") if plan is not None else None
    if start is not None:
        plan, check, kept = _not_worse_than_start(instance, plan, check, start, status, value)
        message = joined_notes(message, kept)
    objective = value(plan, check) if plan is not None and check is not None else None
    if bound is not None and objective is not None:
        bound = _without_float_noise(bound, objective)
    derived, note = derive_status(status, objective, bound, run.requested_gap)
    message = joined_notes(message, note)
    return SolveResult(
        derived, objective, bound, runtime_s, plan, check, run.model, run.backend, run.seed, message, interrupted, kind
    )


def _measure(instance: Instance, kind: str, costs: RouteCosts | None) -> Callable[[Plan, CheckReport], float]:
    """How a checked plan is worth in the objective ``kind``, recomputed independently of the solver."""
    if kind == "distance":
        return lambda plan, check: check.distance
    if kind == "cost":
        return lambda plan, check: check.cost
    assert costs is not None and costs.factors is not None  # route_costs gives emissions its factors
    factors = costs.factors
    return lambda plan, check: plan_emissions(instance, plan, factors).kg_co2e_wtw


def joined_notes(*notes: str) -> str:
    """The non-empty notes of a result's message, joined by "; ".

    Parameters
    ----------
    *notes : str
        Notes in order; empty ones are left out.

    Returns
    -------
    str
        The message.
    """
    return "; ".join(note for note in notes if note)


def _not_worse_than_start(
    instance: Instance,
    plan: Plan | None,
    check: CheckReport | None,
    start: Plan,
    claimed: Status,
    value: Callable[[Plan, CheckReport], float],
) -> tuple[Plan | None, CheckReport | None, str]:
    """The better of the solver's plan and the MIP start, and a note when the start is kept."""
    start_check = check_plan(instance, start)
    if not start_check.feasible:
        return plan, check, ""
    if claimed == "infeasible":
        raise CheckFailedError("the solver reports the model infeasible although the MIP start passes the checker")
    start_value = value(start, start_check)
    if (
        plan is not None
        and check is not None
        and value(plan, check) <= start_value + SOLVER_TOLERANCE * max(1.0, abs(start_value))
    ):
        return plan, check, ""
    return start, start_check, f"kept the warm start ({start_value:.6g}): the solver returned nothing better"


def _without_float_noise(bound: float, objective: float) -> float:
    """A bound above the checked objective (solver tolerances) or a hair below it is the objective itself."""
    if bound >= objective - FLOAT_NOISE * max(1.0, abs(objective)):
        return objective
    return bound


def derive_status(
    claimed: Status, objective: float | None, bound: float | None, requested_gap: float
) -> tuple[Status, str]:
    """The status a result may honestly carry, and a note when the solver claimed something else.

    Parameters
    ----------
    claimed
        The solver's own verdict.
    objective
        The checker's objective of the best plan, or None without a plan.
    bound
        A certified lower bound on the optimum, or None.
    requested_gap
        The relative gap within which a plan counts as optimal.

    Returns
    -------
    tuple[Status, str]
        ``optimal`` only when a checked plan and a bound are within the requested gap; ``feasible``
        for any other plan; ``infeasible`` or ``no_solution`` without a plan. The note is empty unless
        the derived status differs from the claim.
    """
    if objective is None:
        if claimed in ("infeasible", "no_solution"):
            return claimed, ""
        return "no_solution", f"the solver claimed {claimed} but returned no plan"
    if claimed == "infeasible":
        raise CheckFailedError("the solver reports the model infeasible although a plan passing the checker exists")
    if bound is not None and within_gap(objective, bound, requested_gap):
        return "optimal", ""
    if claimed == "optimal":
        said = (
            "no bound"
            if bound is None
            else f"a bound of {bound:.6g}, a gap of {(objective - bound) / max(abs(objective), 1e-12):.2%}"
        )
        return (
            "feasible",
            f"the solver claimed optimality, but the checked plan ({objective:.6g}) has {said}: reported as feasible",
        )
    return "feasible", ""


def within_gap(objective: float, bound: float, requested_gap: float) -> bool:
    """True when ``bound`` proves ``objective`` optimal within ``requested_gap`` (relative) or :data:`SOLVER_TOLERANCE`.

    Parameters
    ----------
    objective : float
        The checker's objective of a plan.
    bound : float
        A certified lower bound on the optimum.
    requested_gap : float
        The relative gap asked for.

    Returns
    -------
    bool
        ``objective - bound <= max(requested_gap * |objective|, SOLVER_TOLERANCE)``.
    """
    return objective - bound <= max(requested_gap * abs(objective), SOLVER_TOLERANCE)
