"""A heuristic for the milk-run problem: a good feasible plan fast, and a MIP start for the exact model.

Modules, one concept each: :mod:`.chains` (consecutive pairs as fixed chains), :mod:`.problem` (the
instance as flat arrays), :mod:`.solution` (routes with cached totals), :mod:`.insertion` (cheapest
feasible insertion), :mod:`.construction` (savings for a heterogeneous fleet), :mod:`.local_search`
(relocate, swap, 2-opt, 2-opt*, cross-exchange, vehicle change), :mod:`.ruin_recreate` (string
removal and greedy reinsertion), :mod:`.metaheuristic` (annealing acceptance), :mod:`.solver`.
"""

from milp_milkrun.heuristics.solver import solve_heuristic

__all__ = ["solve_heuristic"]
