"""The result of any solve (exact model, strong model, heuristic), always re-verified by the checker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from milp_milkrun.checker import CheckReport, check_plan, verify_plan
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance
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

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / objective, the convention HiGHS and CBC print."""
        if self.objective is None or self.bound is None:
            return None
        if abs(self.objective) < 1e-12:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` form of ``milkrun solve``."""
        routes = []
        if self.check is not None:
            routes = [
                {"vehicle": r.vehicle, "type": r.vehicle_type, "stops": list(r.stops), "load": r.load, "distance": r.distance}
                for r in self.check.routes
            ]
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "routes": routes,
            "runtime_s": self.runtime_s,
            "model": self.model,
            "backend": self.backend,
            "seed": self.seed,
            "message": self.message,
        }


OPTIMALITY_TOLERANCE = 1e-6
"""Relative tolerance of "the bound meets the objective": HiGHS's default ``mip_abs_gap`` and
``mip_feasibility_tolerance`` are 1e-6, so no solver certifies anything closer than this. A result is
optimal when ``objective - bound <= gap * |objective| + OPTIMALITY_TOLERANCE * max(1, |objective|)``."""

NOISE = 1e-9  # relative: a bound this close to an integer, or to the objective, is that value (float sums)


def make_result(
    instance: Instance,
    *,
    status: Status,
    plan: Plan | None,
    bound: float | None,
    runtime_s: float,
    model: str,
    backend: str,
    seed: int,
    gap: float = 0.0,
    message: str = "",
    interrupted: bool = False,
    start: Plan | None = None,
    solver_objective: float | None = None,
) -> SolveResult:
    """Build a result: check its plan, keep the better of it and the MIP start, derive the status.

    The status is derived here, never copied from a solver: ``optimal`` only when the checker's
    objective and the certified ``bound`` are within the requested ``gap`` (plus
    :data:`OPTIMALITY_TOLERANCE`); a plan otherwise is ``feasible``, and if the solver claimed
    optimality the message says so. The objective reported is the checker's recomputed distance, never
    the solver's number; a plan the toolkit produced that fails the check raises
    :class:`~milp_milkrun.errors.CheckFailedError`.

    Parameters
    ----------
    instance : Instance
        The instance solved.
    status : {"optimal", "feasible", "infeasible", "no_solution"}
        What the backend claims. "infeasible" and "no_solution" stand when there is no plan; with a
        plan only "optimal" or "feasible" can result, decided from objective and bound.
    plan : Plan or None
        The backend's plan.
    bound : float or None
        A certified lower bound on the optimum (None when the backend has none).
    runtime_s, model, backend, seed, message, interrupted
        Reported as given (notes are appended to ``message``).
    gap : float
        The relative gap requested (``SolveOptions.gap``).
    start : Plan or None
        The MIP start the backend received: the result is never worse than it.
    solver_objective : float or None
        The objective the solver reported for ``plan``; a plan that costs more is said so.

    Returns
    -------
    SolveResult
        The verified result.
    """
    notes = [message] if message else []
    check = verify_plan(instance, plan, source=f"{model}/{backend}") if plan is not None else None
    if solver_objective is not None and check is not None and _above(check.objective, solver_objective):
        notes.append(
            f"the solver reported objective {solver_objective:.6g} for a plan that costs {check.objective:.6g}"
        )
    if start is not None:
        plan, check = _not_worse_than_start(instance, plan, check, start, status, notes)
    objective = check.objective if check is not None else None
    bound = _clamped(bound, objective)
    derived = _derived_status(status, objective, bound, gap, notes)
    message = "; ".join(n for n in notes if n)
    return SolveResult(derived, objective, bound, runtime_s, plan, check, model, backend, seed, message, interrupted)


def _above(value: float, reference: float) -> bool:
    return value > reference + OPTIMALITY_TOLERANCE * max(1.0, abs(value))


def _not_worse_than_start(
    instance: Instance, plan: Plan | None, check: CheckReport | None, start: Plan, claimed: Status, notes: list[str]
) -> tuple[Plan | None, CheckReport | None]:
    """The better of the backend's plan and the MIP start (a start the checker rejects is ignored)."""
    start_check = check_plan(instance, start)
    if not start_check.feasible:
        return plan, check
    if claimed == "infeasible":
        raise CheckFailedError("the solver reports the model infeasible although the MIP start passes the checker")
    if check is not None and not _above(check.objective, start_check.objective):
        return plan, check
    returned = "no plan" if check is None else f"a plan of {check.objective:.6g}"
    notes.append(f"the solver returned {returned}, worse than the MIP start ({start_check.objective:.6g}): kept the start")
    return start, start_check


def _clamped(bound: float | None, objective: float | None) -> float | None:
    """Remove float noise from a bound: never above the objective, equal to it or to an integer when
    within :data:`NOISE` (e.g. 93.99999999999996 -> 94) or, against the objective, within
    :data:`OPTIMALITY_TOLERANCE` (closer than any solver certifies)."""
    if bound is None:
        return None
    if objective is not None:
        if bound >= objective - OPTIMALITY_TOLERANCE * max(1.0, abs(objective)):
            return objective  # includes a bound above the incumbent, a solver tolerance artefact
    nearest = float(round(bound))
    return nearest if abs(bound - nearest) <= NOISE * max(1.0, abs(bound)) else bound


def _derived_status(claimed: Status, objective: float | None, bound: float | None, gap: float, notes: list[str]) -> Status:
    if objective is None:
        return claimed if claimed in ("infeasible", "no_solution") else "no_solution"
    proven = bound is not None and objective - bound <= gap * abs(objective) + OPTIMALITY_TOLERANCE * max(1.0, abs(objective))
    if proven:
        return "optimal"
    if claimed == "optimal":
        what = "no bound" if bound is None else f"bound {bound:.6g} (gap {(objective - bound) / max(abs(objective), 1e-12):.2%})"
        notes.append(
            f"the solver claimed optimality, but the checked objective {objective:.6g} and {what} do not prove "
            f"it within the requested gap {gap:g}: reported as feasible"
        )
    return "feasible"
