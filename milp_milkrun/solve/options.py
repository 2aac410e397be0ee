"""Options shared by every solve backend."""

from __future__ import annotations

import math
from dataclasses import dataclass

from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.objectives import Objective, RouteCosts, route_costs
from milp_milkrun.plan import Plan

DEFAULT_SEED = 20230718  # the seed paper's publication date; printed with every result


@dataclass(frozen=True)
class SolveOptions:
    """Time limit (s), relative gap, threads, seed, whether to stream the solver log, a MIP start, and
    the objective (None: the instance's own; ``emissions`` needs ``factors``)."""

    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int | None = None
    seed: int = DEFAULT_SEED
    log: bool = False  # stream the solver log (the CLI turns it on; a notebook stays quiet)
    warm_start: Plan | None = None
    objective: str | None = None
    factors: EmissionFactors | None = None

    def __post_init__(self) -> None:
        """Reject options no backend can honour, naming the field (the CLI maps it to its flag)."""
        check_seconds("time_limit", self.time_limit)
        if not (math.isfinite(self.gap) and self.gap >= 0):
            raise InputError("gap", f"must be a relative gap >= 0 (e.g. 0.01 for 1%), got {self.gap}")
        if self.threads is not None and self.threads < 1:
            raise InputError("threads", f"must be at least 1, got {self.threads}")
        if self.seed < 0:
            raise InputError("seed", f"must be >= 0, got {self.seed}")
        if self.objective is not None and self.objective not in tuple(o.value for o in Objective):
            raise InputError("objective", f"unknown objective {self.objective!r}; choose from {', '.join(o.value for o in Objective)}")
        if self.objective == "emissions" and self.factors is None:
            raise InputError("factors", "the emissions objective needs emission factors (emissions.load_factors())")

    def costs(self, instance: Instance) -> RouteCosts:
        """The objective these options ask to minimise on ``instance``."""
        return route_costs(instance, self.objective, self.factors)


def check_seconds(field: str, seconds: float) -> None:
    """A time budget must be a positive, finite number of seconds (InputError naming ``field``)."""
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(field, f"must be a positive number of seconds, got {seconds}")


def check_bound_seconds(seconds: float) -> None:
    """The budget of a certified bound for a given plan (``check --bound``)."""
    check_seconds("bound_seconds", seconds)
