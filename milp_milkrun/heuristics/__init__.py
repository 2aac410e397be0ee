"""A heuristic for the milk-run problem: a good feasible plan fast, and a MIP start for the exact model.

Modules, one concept each: :mod:`.problem` (the instance as flat arrays, whose units are the
consecutive chains and single DCs of :func:`milp_milkrun.implied.delivery_units`), :mod:`.solution` (routes with cached totals), :mod:`.insertion` (cheapest
feasible insertion), :mod:`.construction` (savings for a heterogeneous fleet), :mod:`.neighbourhoods`
(relocate, swap, 2-opt, 2-opt*, cross-exchange), :mod:`.fleet_moves` (with vehicle costs: retype,
exchange, split and merge), :mod:`.local_search` (descent over both),
:mod:`.ruin_recreate` (string removal and greedy reinsertion), :mod:`.giant_tour` (re-split of the
routes on the best vehicle mix), :mod:`.metaheuristic` (descent or annealing acceptance), :mod:`.solver`.
Routes are priced at the objective's rates per vehicle (distance, cost or emissions), see :mod:`.problem`.
"""

from milp_milkrun.heuristics.solver import solve_heuristic

__all__ = ["solve_heuristic"]
