"""Options shared by every engine: the exact, strong and route-based backends and the heuristic.

Below every engine but the route engine, whose settings it carries (it imports the data layer, the
objectives, the emission factors and :mod:`milp_milkrun.routes.settings`), so the
heuristic and ``solve`` share it without importing each other; ``milp_milkrun.solve`` re-exports
:class:`SolveOptions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.objectives import Objective, RouteCosts, route_costs
from milp_milkrun.plan import Plan
from milp_milkrun.request_limits import check_cores
from milp_milkrun.routes.settings import RouteSettings

DEFAULT_SEED = 20230718  # the seed paper's publication date; printed with every result


@dataclass(frozen=True)
class SolveOptions:
    """Time limit (s), relative gap, threads, seed, whether to stream the solver log, a MIP start, the
    objective (None: the instance's own; ``emissions`` needs ``factors``) and the route engine's tuning
    (``routes``, read by ``model="routes"`` only)."""

    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int | None = None
    seed: int = DEFAULT_SEED
    log: bool = False  # progress and solver log as records of the milp_milkrun loggers (runtime.logs shows them)
    warm_start: Plan | None = None
    objective: str | None = None
    factors: EmissionFactors | None = None
    routes: RouteSettings = RouteSettings()

    def __post_init__(self) -> None:
        """Reject options no backend can honour, naming the field (the CLI maps it to its flag)."""
        check_seconds("time_limit", self.time_limit)
        if not (math.isfinite(self.gap) and 0 <= self.gap < 1):
            # a relative gap of 1 or more would call any plan optimal: "2" was surely meant as 2%
            raise InputError("gap", f"must be a relative gap in [0, 1) (e.g. 0.01 for 1%), got {self.gap}")
        check_cores("threads", self.threads, "solver threads")
        if self.seed < 0:
            raise InputError("seed", f"must be >= 0, got {self.seed}")
        if self.objective is not None and self.objective not in tuple(o.value for o in Objective):
            raise InputError(
                "objective",
                f"unknown objective {self.objective!r}; choose from {', '.join(o.value for o in Objective)}",
            )
        if self.objective == "emissions" and self.factors is None:
            raise InputError("factors", "the emissions objective needs emission factors (emissions.load_factors())")

    def costs(self, instance: Instance) -> RouteCosts:
        """The objective these options ask to minimise on ``instance``.

        Parameters
        ----------
        instance : Instance
            The instance to solve.

        Returns
        -------
        RouteCosts
            The route values of the objective (the instance's own when ``objective`` is None).
        """
        return route_costs(instance, self.objective, self.factors)


def check_seconds(field: str, seconds: float) -> None:
    """A time budget must be a positive, finite number of seconds (InputError naming ``field``).

    Parameters
    ----------
    field : str
        The option's name, for the error.
    seconds : float
        The budget.
    """
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(field, f"must be a positive number of seconds, got {seconds}")


def check_bound_seconds(seconds: float) -> None:
    """Validate the budget of a certified bound for a given plan (``check --bound``).

    Parameters
    ----------
    seconds : float
        The budget; not a positive finite number raises ``InputError("bound_seconds", ...)``.
    """
    check_seconds("bound_seconds", seconds)
