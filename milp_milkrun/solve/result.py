"""The result of any solve (exact model, strong model, heuristic), always re-verified by the checker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from milp_milkrun.checker import CheckReport, verify_plan
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
    message: str = "",
    interrupted: bool = False,
) -> SolveResult:
    """Build a result, passing its plan through the independent checker first.

    The objective reported is the checker's recomputed distance, never the solver's number; a plan
    that fails the check raises :class:`~milp_milkrun.errors.CheckFailedError`.
    """
    check = verify_plan(instance, plan, source=f"{model}/{backend}") if plan is not None else None
    objective = check.objective if check is not None else None
    if bound is not None and objective is not None:
        bound = min(bound, objective)  # a bound above the incumbent is a solver tolerance artefact
    return SolveResult(status, objective, bound, runtime_s, plan, check, model, backend, seed, message, interrupted)
