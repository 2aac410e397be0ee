"""The backends, by formulation and solver interface: the one table :func:`milp_milkrun.solve.solve` picks from.

A backend is a function ``(instance, options, solver) -> SolveResult``. Each entry imports its module
when it first runs (Pyomo and the route engine are slow to import), so ``import milp_milkrun.solve``
stays cheap. Adding a backend is one function here and one entry in :data:`BACKENDS_BY_MODEL`
(docs/contributing.md, "Adding a backend").
"""

from __future__ import annotations

from collections.abc import Callable

from milp_milkrun.instance import Instance
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import SolveResult

Run = Callable[[Instance, SolveOptions, str | None], SolveResult]


def _exact_highs(instance: Instance, options: SolveOptions, solver: str | None) -> SolveResult:
    """Equations 1-14 built in Pyomo and handed to the embedded HiGHS."""
    from milp_milkrun.solve.highs import solve_exact_highs

    return solve_exact_highs(instance, options)


def _exact_pulp(instance: Instance, options: SolveOptions, solver: str | None) -> SolveResult:
    """The independent PuLP build of the exact model, CBC unless ``solver`` says otherwise."""
    from milp_milkrun.solve.pulp_backend import solve_exact_pulp

    return solve_exact_pulp(instance, options, solver or "cbc")


def _strong(instance: Instance, options: SolveOptions, solver: str | None) -> SolveResult:
    """Vehicle classes and capacity cuts, driven through highspy directly."""
    from milp_milkrun.solve.strong import solve_strong

    return solve_strong(instance, options)


def _routes(instance: Instance, options: SolveOptions, solver: str | None) -> SolveResult:
    """Set partitioning: branch-and-price-and-cut over column generation."""
    from milp_milkrun.solve.routes_backend import solve_branch_price

    return solve_branch_price(instance, options)


# model -> backend -> run; ``auto`` is not here: it chains these (milp_milkrun.solve.auto)
BACKENDS_BY_MODEL: dict[str, dict[str, Run]] = {
    "exact": {"highs": _exact_highs, "pulp": _exact_pulp},
    "strong": {"highs": _strong},
    "routes": {"highs": _routes},
}


def backends_of(model: str) -> tuple[str, ...]:
    """The backends that run ``model``.

    Parameters
    ----------
    model : str
        A formulation other than ``auto``.

    Returns
    -------
    tuple of str
        Its backends' names, in the order of :data:`BACKENDS_BY_MODEL` (empty for an unknown model).
    """
    return tuple(BACKENDS_BY_MODEL.get(model, {}))


def backend_run(model: str, backend: str) -> Run:
    """The function that solves ``model`` through ``backend`` (a pair :func:`backends_of` lists).

    Parameters
    ----------
    model, backend : str
        The formulation and the solver interface.

    Returns
    -------
    Run
        ``run(instance, options, solver) -> SolveResult``.
    """
    return BACKENDS_BY_MODEL[model][backend]
