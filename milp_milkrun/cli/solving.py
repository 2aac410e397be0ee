"""Commands that solve: ``solve``, ``heuristic``, ``crosscheck``, ``fleet`` and ``batch``, and what they share
(the time left for the solver, the output files checked before any work, the report of a result).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import typer

from milp_milkrun.cli.app import (
    EXIT_INTERRUPTED,
    EXIT_VIOLATIONS,
    FACTORS_OPTION,
    MAP_OPTION,
    OBJECTIVE_OPTION,
    VARIANT_OPTION,
    VEHICLES_OPTION,
    app,
    check_map_drawable,
    check_map_path,
    load_instance_for_cli,
    log_on_stderr,
    plural,
    progress_shown,
    unwritten_on_interrupt,
    write_map_file,
)
from milp_milkrun.emissions.factors import factors_for_objective
from milp_milkrun.instance import Instance
from milp_milkrun.io import write_plan
from milp_milkrun.io.files import PLAN_SUFFIXES, PLOT_SUFFIXES, check_output_path, make_output_folder
from milp_milkrun.objectives import Objective, route_costs
from milp_milkrun.options import check_seconds
from milp_milkrun.reports.solve_table import solve_table
from milp_milkrun.runtime.interrupts import interrupts_deferred
from milp_milkrun.solve import DEFAULT_SEED, Backend, Model, SolveOptions, Solver, SolveResult, check_choices
from milp_milkrun.solve import solve as solve_instance

MIN_SOLVER_SECONDS = 0.01  # what a solver gets when reading the input used up the whole time limit
WRITE_SECONDS = 0.5  # kept of the time limit for drawing each plot or map (measured: 0.2-0.4 s on ecom74)


@app.command("solve", short_help="Solve an instance with a MILP model: plan, bound, gap.")
def solve_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."
    ),
    model: Model = typer.Option(
        Model.auto,
        "--model",
        help="Formulation: auto (the engine that proves most: routes, then strong if a gap is left), exact (the seed's Equations 1-14), strong (same plans; vehicle classes + capacity cuts) or routes (set partitioning by column generation: the strongest bound, plan from its routes).",
    ),
    backend: Backend = typer.Option(
        Backend.highs, "--backend", help="Modelling backend: highs (Pyomo + HiGHS) or pulp (PuLP)."
    ),
    solver: Solver | None = typer.Option(None, "--solver", help="Solver of the pulp backend: cbc (default) or highs."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for the whole solve (build included)."),
    gap: float = typer.Option(1e-4, "--gap", help="Relative gap at which a plan counts as optimal."),
    threads: int | None = typer.Option(None, "--threads", help="Solver threads (default: the solver's choice)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the solver (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON (and no log unless --log)."),
    output: Path | None = typer.Option(None, "--output", help="Write the plan (.json or VRPLIB .sol)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes into this image (e.g. routes.png)."),
    log: bool | None = typer.Option(
        None, "--log/--quiet", help="Stream the progress and the solver log to stderr (default: on, off with --json)."
    ),
    warm_start: bool = typer.Option(
        True, "--warm-start/--no-warm-start", help="Start the MIP from the heuristic's plan."
    ),
    vehicles: int | None = VEHICLES_OPTION,
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
) -> None:
    """Solve an instance; exit 0 with a plan (optimal or feasible), 1 without (infeasible or none found), 130 after Ctrl-C."""
    started = time.monotonic()
    check_result_files([instance_path, factors_path], output, plot)
    factors = factors_for_objective(objective.value if objective else None, factors_path)
    log = not json_output if log is None else log
    options = SolveOptions(
        time_limit=time_limit,
        gap=gap,
        threads=threads,
        seed=seed,
        log=log,
        objective=objective.value if objective else None,
        factors=factors,
    )
    solver_name = solver.value if solver else None
    check_choices(
        model=model.value, backend=backend.value, solver=solver_name, objective=objective.value if objective else None
    )
    check_map_path(map_path, [instance_path, factors_path, output, plot])
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path, plot=plot)
    prepare_drawing(plot)
    options = replace(
        options, time_limit=time_left(time_limit, started, plot, map_path)
    )  # the limit covers reading, building and writing
    with unwritten_on_interrupt(output, plot, map_path):  # a Ctrl-C the solve did not take names what is not written
        with log_on_stderr(log):
            result = solve_instance(
                instance,
                model=model.value,
                backend=backend.value,
                solver=solver_name,
                options=options,
                heuristic_start=warm_start,
            )
        with interrupts_deferred():  # a further Ctrl-C must not cut the report or the plan file short
            report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
            write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(solve_exit_code(result))


@app.command("heuristic", short_help="Find a good plan fast (no bound).")
def heuristic_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."
    ),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds of search."),
    seed: int = typer.Option(
        DEFAULT_SEED, "--seed", help="Random seed (printed with the result); same seed, same search."
    ),
    max_iterations: int | None = typer.Option(
        None, "--max-iterations", help="Also stop after this many iterations (reproducible on any machine)."
    ),
    engine: str = typer.Option(
        "auto",
        "--engine",
        help="auto: PyVRP and the own search in turns (the own search alone where PyVRP cannot state the "
        "instance, e.g. time windows); own: the own search only; pyvrp: PyVRP only (refused where it cannot state the instance).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    output: Path | None = typer.Option(None, "--output", help="Write the plan (.json or VRPLIB .sol)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes into this image (e.g. routes.png)."),
    log: bool | None = typer.Option(
        None,
        "--log/--quiet",
        help="Print each new best plan, and progress every 5 s, to stderr (default: on when stderr is a terminal).",
    ),
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
    vehicles: int | None = VEHICLES_OPTION,
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Find a good feasible plan fast (no bound); exit 0 with a plan, 1 without, 130 after Ctrl-C."""
    started = time.monotonic()
    from milp_milkrun.heuristics import solve_heuristic
    from milp_milkrun.heuristics.engine_settings import EngineSettings
    from milp_milkrun.heuristics.metaheuristic import SearchParams
    from milp_milkrun.heuristics.solver import check_heuristic_limits

    check_heuristic_limits(time_limit, max_iterations, seed)
    params = SearchParams(engine=EngineSettings(engine))
    check_result_files([instance_path, factors_path], output, plot)
    check_map_path(map_path, [instance_path, factors_path, output, plot])
    factors = factors_for_objective(objective.value if objective else None, factors_path)
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path, plot=plot)
    costs = route_costs(instance, objective.value if objective else None, factors)
    prepare_drawing(plot)
    log = progress_shown(log)
    with unwritten_on_interrupt(output, plot, map_path):
        with log_on_stderr(log):
            result = solve_heuristic(
                instance,
                time_limit=time_left(time_limit, started, plot, map_path),
                seed=seed,
                log=log,
                max_iterations=max_iterations,
                params=params,
                costs=costs,
            )
        with interrupts_deferred():
            report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
            write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(solve_exit_code(result))


@app.command("crosscheck", short_help="Compare the Pyomo/HiGHS and PuLP/CBC builds of the exact model.")
def crosscheck_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for each MIP run (and each LP relaxation)."),
    threads: int | None = typer.Option(None, "--threads", help="Solver threads (default: the solvers' choice)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of both solvers (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Build the exact model in Pyomo and in PuLP, solve with HiGHS and CBC, compare; exit 0 if they agree, else 1."""
    from milp_milkrun.crosscheck import crosscheck  # Pyomo is slow to import: only when needed

    SolveOptions(time_limit=time_limit, threads=threads, seed=seed)  # every flag checked before the instance is read
    instance = load_instance_for_cli(instance_path, vehicles)
    report = crosscheck(instance, time_limit, threads=threads, seed=seed)
    typer.echo(json.dumps(report.to_dict(), indent=2) if json_output else report.table())
    raise typer.Exit(0 if report.agree else EXIT_VIOLATIONS)


@app.command("fleet", short_help="Recommend the cheapest fleet for a hub.")
def fleet_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance: the hub and its current fleet."
    ),
    types_path: Path | None = typer.Option(
        None,
        "--types",
        help="Candidate vehicle types with costs (.json, docs/fleet.md); default: the instance's own types and costs, unlimited.",
    ),
    time_limit: float = typer.Option(
        60.0,
        "--time-limit",
        help="Seconds in all: a third for the current fleet's plan, the rest for the recommendation.",
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of both solves (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
    output: Path | None = typer.Option(
        None, "--output", help="Write the recommended fleet's plan (.json or VRPLIB .sol)."
    ),
    log: bool | None = typer.Option(
        None,
        "--log/--quiet",
        help="Stream the progress and solver logs of both solves to stderr (default: on when stderr is a terminal).",
    ),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Recommend the cheapest fleet (which types, how many of each) with its plan, bound and the change from the current fleet.

    Exit 0 with a recommended plan, 1 without one, 130 after Ctrl-C.
    """
    started = time.monotonic()
    from milp_milkrun.fleet import recommend_fleet
    from milp_milkrun.io.fleet_candidates import load_candidates
    from milp_milkrun.reports.fleet_table import fleet_table

    check_seconds("time_limit", time_limit)
    check_result_files([instance_path, types_path], output, None)
    candidates = load_candidates(types_path) if types_path is not None else None
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    log = progress_shown(log)
    with unwritten_on_interrupt(output):
        with log_on_stderr(log):
            rec = recommend_fleet(instance, candidates, time_limit=time_left(time_limit, started), seed=seed, log=log)
        plan = rec.recommended.result.plan
        with interrupts_deferred():
            typer.echo(json.dumps(rec.to_dict(), indent=2) if json_output else fleet_table(rec))
            if plan is not None and output is not None:
                write_plan(plan, output, rec.recommended.instance)
                typer.echo(
                    f"wrote plan {output} (for the recommended fleet: instance {rec.recommended.instance.name})",
                    err=json_output,
                )
    interrupted = rec.current.result.interrupted or rec.recommended.result.interrupted
    raise typer.Exit(EXIT_INTERRUPTED if interrupted else 0 if plan is not None else EXIT_VIOLATIONS)


@app.command("batch", short_help="Solve every hub of a network (local pool or Dask).")
def batch_command(
    source: Path = typer.Argument(
        ..., metavar="MANIFEST_OR_DIR", help="A manifest.json of hubs, or a folder of hub instances."
    ),
    out: Path = typer.Option(..., "--out", help="RESULTS_DIR: one folder per hub, summary.csv and summary.json."),
    workers: int = typer.Option(1, "--workers", help="Local worker processes (each solves one hub on one thread)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a Dask scheduler (tcp://host:8786) instead of the local pool."
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds per hub."),
    model: Model = typer.Option(
        Model.routes, "--model", help="Formulation for every hub: routes (certified gap, the default), strong or exact."
    ),
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
    seed: int = typer.Option(
        DEFAULT_SEED, "--seed", help="Random seed of every solve (printed and stored with each result)."
    ),
) -> None:
    """Solve every hub of a network; rerunning skips the hubs already solved with the same instance and options.

    Exit 0 when every hub has a result, 1 naming the hubs that failed, 130 after Ctrl-C (finished results kept).
    """
    from milp_milkrun.batch import BatchOptions, check_batch, check_engine, load_hubs, run_batch, summary_rows
    from milp_milkrun.reports.batch_progress import batch_display, summary_table

    check_engine(workers, scheduler)
    check_result_files([factors_path], None, None)
    options = BatchOptions(
        model=model.value,
        time_limit=time_limit,
        seed=seed,
        objective=objective.value if objective else None,
        factors=str(factors_path) if factors_path else None,
    )
    tasks = load_hubs(source)
    check_batch(tasks, out, options, workers=workers, scheduler=scheduler)
    make_output_folder(out, field="out")
    header = (
        f"batch: {plural(len(tasks), 'hub')}, model {model.value}, {time_limit:g} s per hub, seed {seed}, "
        f"{'Dask scheduler ' + scheduler if scheduler else plural(workers, 'local worker')}"
    )
    with batch_display(header) as show:
        report = run_batch(tasks, out, options, workers=workers, scheduler=scheduler, show=show)
    typer.echo(summary_table(summary_rows(report)))
    typer.echo(f"wrote {out / 'summary.csv'} ({plural(report.reused, 'hub')} reused from an earlier run)", err=True)
    if report.interrupted:
        typer.echo(
            f"interrupted by Ctrl-C: every finished result is kept; {plural(len(report.not_run), 'hub')} not run (rerun to solve them)",
            err=True,
        )
        raise typer.Exit(130)
    if report.failed:
        typer.echo(f"failed: {', '.join(report.failed)} (reasons in their result.json)", err=True)
        raise typer.Exit(EXIT_VIOLATIONS)


def time_left(time_limit: float, started: float, *drawings: Path | None) -> float:
    """What is left of ``time_limit`` for the solver after the command read and built its input,
    keeping ``WRITE_SECONDS`` for each drawing (plot, map) it must still write.

    Parameters
    ----------
    time_limit : float
        The --time-limit value (seconds for the whole command).
    started : float
        ``time.monotonic()`` when the command started.
    *drawings : Path or None
        The --plot and --map values (None: not asked).

    Returns
    -------
    float
        The seconds left, at least ``MIN_SOLVER_SECONDS`` (a solver with no time ends with what it has).
    """
    reserve = WRITE_SECONDS * sum(1 for path in drawings if path is not None)
    return max(MIN_SOLVER_SECONDS, time_limit - (time.monotonic() - started) - reserve)


def prepare_drawing(plot: Path | None) -> None:
    """Import matplotlib before the search when --plot is asked, so that its import counts against the time limit.

    Parameters
    ----------
    plot : Path or None
        The --plot value.
    """
    if plot is not None:
        import milp_milkrun.plotting.routes  # noqa: F401  (seconds of import, inside the budget)


def solve_exit_code(result: SolveResult) -> int:
    """130 after Ctrl-C (the best plan so far was still reported and written), else 0 with a plan, 1 without.

    Parameters
    ----------
    result : SolveResult
        The run's result.

    Returns
    -------
    int
        The exit code.
    """
    if result.interrupted:
        return EXIT_INTERRUPTED
    return 0 if result.plan is not None else EXIT_VIOLATIONS


def check_result_files(inputs: list[Path | None], output: Path | None, plot: Path | None) -> None:
    """Refuse unusable --output and --plot paths before any work (and never a file the command reads).

    Parameters
    ----------
    inputs : list[Path or None]
        The files the command reads.
    output, plot : Path or None
        The --output and --plot values.
    """
    read = [path for path in inputs if path is not None]
    if output is not None:
        check_output_path(output, field="output", suffixes=PLAN_SUFFIXES, inputs=read)
    if plot is not None:
        check_output_path(plot, field="plot", suffixes=PLOT_SUFFIXES, inputs=[*read, *([output] if output else [])])


def report_solve_result(
    instance: Instance, result: SolveResult, *, json_output: bool, output: Path | None, plot: Path | None
) -> None:
    """Print the result (table or JSON) and write the requested plan and plot files.

    Parameters
    ----------
    instance : Instance
        The solved instance.
    result : SolveResult
        The result to report.
    json_output : bool
        Print JSON (and the "wrote" lines on stderr).
    output, plot : Path or None
        Where to write the plan and the drawing.
    """
    typer.echo(json.dumps(result.to_dict(), indent=2) if json_output else solve_table(instance, result))
    if result.plan is not None and output is not None:
        write_plan(result.plan, output, instance)
        typer.echo(f"wrote plan {output}", err=json_output)
    if result.plan is not None and plot is not None:
        from milp_milkrun.plotting.routes import save_route_plot  # matplotlib is slow to import: only when asked

        save_route_plot(instance, result.plan, plot)
        typer.echo(f"wrote plot {plot}", err=json_output)
