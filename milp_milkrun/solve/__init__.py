"""Solve an instance with a chosen formulation and backend; every result is checker-verified.

``solve`` is the one entry point a notebook user and the CLI call.  The backends live in their own
modules: ``highs`` (exact model, Pyomo + HiGHS), ``pulp_backend`` (exact model, PuLP + CBC/HiGHS),
``strong`` (the strengthened formulation), ``column_generation`` (the route-based formulation).
"""

from __future__ import annotations

import enum
import time

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.heuristics.warm_start import solve_with_heuristic_start
from milp_milkrun.instance import Instance
from milp_milkrun.options import DEFAULT_SEED, SolveOptions, check_bound_seconds
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, Status, joined_notes, make_result
from milp_milkrun.solve.backends import backend_run, backends_of
from milp_milkrun.solve.build_time import too_slow_to_build
from milp_milkrun.solve.feasibility import presolve_diagnostics
from milp_milkrun.timing import ENGINES_STATING_TIME, require_time_support


class Model(str, enum.Enum):
    """The formulations: the seed's Equations 1-14, the strengthened arc model, the route-based model, and
    ``auto``, which picks and chains them (:mod:`milp_milkrun.solve.auto`)."""

    auto = "auto"
    exact = "exact"
    strong = "strong"
    routes = "routes"


class Backend(str, enum.Enum):
    """How the exact model reaches a solver: Pyomo + embedded HiGHS, or PuLP."""

    highs = "highs"
    pulp = "pulp"


class Solver(str, enum.Enum):
    """The solver of the PuLP backend."""

    cbc = "cbc"
    highs = "highs"


MODELS = tuple(m.value for m in Model)
BACKENDS = tuple(b.value for b in Backend)
SOLVERS = tuple(s.value for s in Solver)

__all__ = [
    "DEFAULT_SEED",
    "MODELS",
    "BACKENDS",
    "SOLVERS",
    "Backend",
    "Model",
    "Solver",
    "SolveOptions",
    "SolveResult",
    "Status",
    "check_bound_seconds",
    "check_choices",
    "solve",
]


def check_choices(*, model: str, backend: str, solver: str | None, objective: str | None = None) -> None:
    """Reject a model, backend or solver name, or a combination, that no run can honour (InputError).

    Parameters
    ----------
    model : str
        One of :data:`MODELS`.
    backend : str
        One of :data:`BACKENDS`.
    solver : str or None
        One of :data:`SOLVERS` (the pulp backend only), or None.
    objective : str or None
        The objective asked for (``SolveOptions.objective``): ``emissions`` needs the route-based model.
    """
    if objective == "emissions" and (model in ("exact", "strong") or backend == "pulp"):  # refused before any work
        engine = f"the {model} model" if backend != "pulp" else "the pulp backend (the exact model)"
        raise InputError(
            "objective",
            f"the emissions objective depends on the load on each leg, which {engine} cannot state; use --model routes or auto, or the heuristic",
        )
    if model not in MODELS:
        raise InputError("model", f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    if backend not in BACKENDS:
        raise InputError("backend", f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if model != "auto" and backend not in backends_of(model):
        runs_on = " or ".join(backends_of(model))
        raise InputError("backend", f"the {model} model runs on the {runs_on} backend only; use {runs_on}")
    if backend == "highs" and solver not in (None, "highs"):  # only the pulp backend picks a solver
        raise InputError("solver", f"solver {solver} needs the pulp backend (the highs backend always uses HiGHS)")
    if solver is not None and solver not in SOLVERS:
        raise InputError("solver", f"unknown solver {solver!r}; choose from {', '.join(SOLVERS)}")


def solve(
    instance: Instance,
    *,
    model: str = "auto",
    backend: str = "highs",
    solver: str | None = None,
    options: SolveOptions | None = None,
    heuristic_start: bool = True,
) -> SolveResult:
    """Solve ``instance`` with formulation ``model`` through ``backend``.

    Unless ``options.warm_start`` is given or ``heuristic_start`` is False, the heuristic runs
    first (:class:`.heuristics.warm_start.WarmStartSettings`: min(10 s, 20% of the time limit) below
    100 DCs, or 50 where no vehicle limits its stops) and its plan is the MIP start; the result is never worse.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    model : str
        ``auto``, ``exact``, ``strong`` or ``routes`` (:class:`Model`).
    backend : str
        ``highs`` or ``pulp`` (:class:`Backend`); the strong and route models run on HiGHS only.
    solver : str, optional
        ``cbc`` (default) or ``highs`` for the pulp backend.
    options : SolveOptions, optional
        Time limit, gap, threads, seed, log and MIP start (default: ``SolveOptions()``).
    heuristic_start : bool
        Run the heuristic first for a MIP start.

    Returns
    -------
    SolveResult
        The checked plan, the certified bound and the status derived from them; after Ctrl-C the best
        plan so far, flagged ``interrupted``.
    """
    options = options or SolveOptions()
    check_choices(model=model, backend=backend, solver=solver, objective=options.objective)
    if model == "auto" and backend == "pulp":  # the PuLP backend builds the exact model only
        model = "exact"
    require_time_support(instance, "exact-pulp" if backend == "pulp" else model)
    if model == "auto":
        from milp_milkrun.solve.auto import solve_auto

        return solve_auto(instance, options, solve, heuristic_start)
    started = time.perf_counter()
    try:
        return _dispatch(instance, model, backend, solver, options, heuristic_start, started)
    except (
        KeyboardInterrupt
    ):  # Ctrl-C in a phase with no handler of its own: keep the MIP start if it passes the checker
        start = _checked_start(instance, options)
        return make_result(
            RunContext.of(instance, options, model=model, backend=backend, started=started),
            status="feasible" if start is not None else "no_solution",
            plan=start,
            bound=None,
            interrupted=True,
            message="interrupted by Ctrl-C: the best plan so far (the MIP start)"
            if start
            else "interrupted by Ctrl-C before any plan",
        )


def _dispatch(
    instance: Instance,
    model: str,
    backend: str,
    solver: str | None,
    options: SolveOptions,
    heuristic_start: bool,
    started: float,
) -> SolveResult:
    """Presolve diagnostics, the heuristic start and the backend chosen by :func:`solve`."""
    reasons = presolve_diagnostics(instance)
    if reasons:  # proven infeasible without building a model
        return make_result(
            RunContext.of(instance, options, model=model, backend=backend, started=started),
            status="infeasible",
            plan=None,
            bound=None,
            message="; ".join(reasons),
        )
    if (
        heuristic_start
        and options.warm_start is None
        and (not instance.has_time or "heuristic" in ENGINES_STATING_TIME)
    ):
        # the heuristic plan is the default MIP start (on an instance with time, once the heuristic states it)

        def run_backend(with_start: SolveOptions) -> SolveResult:
            return solve(
                instance, model=model, backend=backend, solver=solver, options=with_start, heuristic_start=False
            )

        return solve_with_heuristic_start(instance, options, run_backend)
    too_slow = too_slow_to_build(instance, model, options.time_limit)
    if too_slow:  # the build checks no clock: keep to the limit with the start plan, if any
        return _not_built(instance, model, backend, options, started, too_slow)
    return backend_run(model, backend)(instance, options, solver)


def _not_built(
    instance: Instance, model: str, backend: str, options: SolveOptions, started: float, why: str
) -> SolveResult:
    """The result of a run whose model would take longer to build than its time limit: the start plan, if any."""
    start = _checked_start(instance, options)
    if start is not None:
        why = joined_notes(why, "the plan is the start's")
    return make_result(
        RunContext.of(instance, options, model=model, backend=backend, started=started),
        status="no_solution" if start is None else "feasible",
        plan=start,
        bound=None,
        message=why,
    )


def _checked_start(instance: Instance, options: SolveOptions) -> Plan | None:
    """The MIP start when the checker accepts it, else None: the plan of a run that produced none of its own."""
    start = options.warm_start
    return start if start is not None and check_plan(instance, start).feasible else None
