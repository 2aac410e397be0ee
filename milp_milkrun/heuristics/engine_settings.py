"""Which search engines the heuristic runs, and when it switches between them (:mod:`.engines`)."""

from __future__ import annotations

from dataclasses import dataclass

from milp_milkrun.errors import InputError

ENGINES = ("auto", "own", "pyvrp")


@dataclass(frozen=True)
class EngineSettings:
    """The engine of ``milkrun heuristic --engine``.

    - ``own``: the toolkit's ruin and recreate (:mod:`.metaheuristic`) alone; the library's default,
      and what the exact solves' warm start uses below 100 DCs (50 without stop limits: :class:`.warm_start.WarmStartSettings`).
    - ``pyvrp``: PyVRP's iterated local search alone (:mod:`.pyvrp_engine`); refused, with the reason,
      on an instance it cannot state.
    - ``auto`` (the CLI's default): first (below ``opening_below_dcs`` DCs) ``pyvrp_starts`` independent PyVRP runs, each from its own
      random start (seed, seed + 1, ...) until it stalls or has had its share of ``opening_share`` of
      the time limit (PyVRP's iterated local search follows one trajectory and restarts from its best
      plan, never afresh: on a tight limited fleet one seed's first plan can fix a fleet mix it never
      leaves, 1-2% above another seed's; docs/benchmarks.md); then, from the best of them, PyVRP
      until it has found no better plan for ``pyvrp_stall_share`` of the time limit, then the own
      search from PyVRP's best until ``own_stall_iterations`` iterations without a better plan or,
      with a time limit alone, ``own_phase_share`` of it has passed (where an own iteration is slow,
      as with priced fleets on a loaded machine, an uncapped phase took PyVRP's time:
      docs/benchmarks.md), alternating; the last ``polish_share`` of the time goes to the own search.
      On an instance PyVRP cannot state, the own search alone.

    With an iteration budget (``max_iterations``) every switch is counted in iterations
    (``pyvrp_stall_iterations``, ``own_stall_iterations``, ``polish_share`` and the opening's
    ``opening_share`` of the budget), so a run
    is the same for a seed on any machine; with a time limit alone PyVRP's stall is measured in
    seconds and the switch points depend on the machine's speed.
    """

    name: str = "own"
    pyvrp_stall_share: float = 0.1  # of the time limit without a better plan: PyVRP has stalled
    pyvrp_stall_iterations: int = 2000  # the same rule counted in PyVRP iterations (iteration budgets)
    own_stall_iterations: int = 500  # iterations without a better plan: the own search has stalled
    own_phase_share: float = 0.1  # of the time limit an own phase may last at most (time limits alone)
    polish_share: float = 0.1  # of the time (or iteration budget) left to the own search at the end
    pyvrp_starts: int = 4  # independent PyVRP runs from random starts before the alternation
    opening_share: float = 0.5  # of the time (or iteration budget) the independent starts may take together
    # ... only on instances of fewer DCs: on 500-DC hubs each start's eighth of the time is too short (ours/PyVRP
    # 1.0052 and 1.0089 with the opening, 1.0003 and 1.0019 without, at 60 s; docs/benchmarks.md)
    opening_below_dcs: int = 200

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise InputError("engine", f"must be one of {', '.join(ENGINES)}, got {self.name!r}")
        if not 0.0 < self.pyvrp_stall_share <= 1.0 or not 0.0 <= self.polish_share < 1.0:
            raise InputError("engine", "pyvrp_stall_share must lie in (0, 1] and polish_share in [0, 1)")
        if not 0.0 < self.own_phase_share <= 1.0:
            raise InputError("engine", "own_phase_share must lie in (0, 1]")
        if self.pyvrp_stall_iterations < 1 or self.own_stall_iterations < 1:
            raise InputError("engine", "the stall iteration counts must be at least 1")
        if self.pyvrp_starts < 1 or not 0.0 < self.opening_share < 1.0:
            raise InputError("engine", "pyvrp_starts must be at least 1 and opening_share lie in (0, 1)")

    def starts_for(self, n_dcs: int) -> int:
        """How many independent PyVRP starts open ``auto`` on an instance of ``n_dcs`` DCs (0: none)."""
        return self.pyvrp_starts if n_dcs < self.opening_below_dcs else 0
