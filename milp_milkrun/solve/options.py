"""Options shared by every solve backend."""

from __future__ import annotations

from dataclasses import dataclass

from milp_milkrun.plan import Plan

DEFAULT_SEED = 20230718  # the seed paper's publication date; printed with every result


@dataclass(frozen=True)
class SolveOptions:
    """Time limit (s), relative gap, threads, seed, whether to stream the solver log, and a MIP start."""

    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int | None = None
    seed: int = DEFAULT_SEED
    log: bool = True
    warm_start: Plan | None = None
