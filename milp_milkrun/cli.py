"""The ``milkrun`` command: a thin layer over the Python API.

Every command loads its input through :mod:`milp_milkrun.io`; bad input raises ``InputError``,
which :func:`main` prints as one line naming the field and exits with code 2 (never a traceback).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import typer

from milp_milkrun.checker import check_plan
from milp_milkrun.emissions import load_factors
from milp_milkrun.emissions.factors import factors_for_objective
from milp_milkrun.objectives import Objective, route_costs
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan, write_instance, write_plan
from milp_milkrun.io.files import INSTANCE_SUFFIXES, MODEL_SUFFIXES, PLAN_SUFFIXES, PLOT_SUFFIXES, check_output_path, make_output_folder
from milp_milkrun.plan import Plan
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.reports.instance_summary import instance_summary
from milp_milkrun.reports.solve_table import solve_table
from milp_milkrun.runtime.highs import exits_past_abandoned_runs
from milp_milkrun.runtime.interrupts import interrupts_deferred
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import DEFAULT_SEED, Backend, Model, Solver, SolveOptions, SolveResult, check_bound_seconds, check_choices
from milp_milkrun.solve import solve as solve_instance

app = typer.Typer(
    name="milkrun",
    help="Exact MILP models of the milk-run routing problem of a parcel hub, solved with open solvers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: flags shown as flags, not as "--json <bool>"
)

EXIT_VIOLATIONS = 1  # `check`: the plan breaks a rule; `solve`: no plan (infeasible or none found)
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3  # a plan the toolkit produced failed the independent checker: a bug

# The library names the field of an option; a user fixes the flag.
FLAG_OF_FIELD = {
    "time_limit": "--time-limit", "gap": "--gap", "threads": "--threads", "seed": "--seed", "model": "--model",
    "backend": "--backend", "solver": "--solver", "max_iterations": "--max-iterations", "bound_seconds": "--bound",
    "output": "--output", "plot": "--plot", "write": "--write", "vehicles": "--vehicles", "csv": "--csv",
    "workers": "--workers", "out": "--out", "objective": "--objective", "factors": "--factors",
    # ---- map and inspect flags (begin)
    "map": "--map", "family": "--family", "vehicle": "--vehicle", "dc": "--dc",
    # ---- map and inspect flags (end)
    # ---- fleet and Golden-Taillard flags (begin)
    "variant": "--variant", "types": "--types",
    # ---- fleet and Golden-Taillard flags (end)
}


@exits_past_abandoned_runs  # a HiGHS run left behind after Ctrl-C must not abort the process at exit
def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputError as exc:
        typer.echo(f"error: {FLAG_OF_FIELD.get(exc.field, exc.field)}: {exc.message}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except CheckFailedError as exc:
        typer.echo(f"internal error (please report): {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


# ---- commands: show, check, convert ---------------------------------------------------------
VEHICLES_OPTION = typer.Option(None, "--vehicles", help="Fleet size for a .vrp file that states none (overrides the file), or of a Solomon .txt file (default: unlimited).")
VARIANT_OPTION = typer.Option(
    None,
    "--variant",
    help="Variant of a Golden-Taillard golden_NN.json file: FSMF, FSMD, FSMFD, HVRPFD or HVRPD; of a Solomon .txt file: N (its first N customers, e.g. 25), "
    "optionally ',none' for unrounded distances (default: truncated to one decimal).",
)
OBJECTIVE_OPTION = typer.Option(
    None, "--objective",
    help="What to minimise: distance (the seed's Eq 1), cost (each vehicle type's fixed cost and cost per km) or emissions "
    "(well-to-wheel kg CO2e, ISO 14083; route-based model and heuristic). Default: the instance's objective (distance unless it says cost).",
)
FACTORS_OPTION = typer.Option(None, "--factors", help="Emission factors file laid over the defaults (with --objective emissions; docs/emissions.md).")
# ---- map option (begin)
MAP_OPTION = typer.Option(None, "--map", help="Also write an interactive map of the plan (one self-contained .html file that works offline).")


def check_map_path(map_path: Path | None, inputs: list[Path | None], field: str = "map") -> None:
    """Refuse an unusable map path (``--map``, or ``--output`` of ``map``) before any work (never over an input or another output).

    Parameters
    ----------
    map_path : Path or None
        The map file to write.
    inputs : list[Path or None]
        The files the command reads or writes besides the map.
    field : str
        The field named in the error.
    """
    if map_path is not None:
        from milp_milkrun.plotting.web_map import MAP_SUFFIXES

        check_output_path(map_path, field=field, suffixes=MAP_SUFFIXES, inputs=[p for p in inputs if p is not None])


def check_map_drawable(instance: Instance, map_path: Path | None, field: str = "map") -> None:
    """Refuse a map of an instance without coordinates before any solving is done.

    Parameters
    ----------
    instance : Instance
        The loaded instance.
    map_path : Path or None
        The --map value.
    field : str
        The field named in the error.
    """
    if map_path is not None and instance.coordinates == "none":
        raise InputError(field, f"instance {instance.name} has no coordinates (only a distance matrix) to draw a map of")


def write_map_file(instance: Instance, plan: Plan | None, map_path: Path | None, *, err: bool = False) -> None:
    """Write the interactive map of ``plan`` when --map was given and there is a plan.

    Parameters
    ----------
    instance : Instance
        The instance of the plan.
    plan : Plan or None
        The plan to draw.
    map_path : Path or None
        The --map value.
    err : bool
        Print the "wrote map" line on stderr (under --json).
    """
    if plan is None or map_path is None:
        return
    from milp_milkrun.plotting.web_map import save_route_map

    save_route_map(instance, plan, map_path)
    typer.echo(f"wrote map {map_path}", err=err)
# ---- map option (end)


def log_on_stderr(enabled: bool) -> contextlib.AbstractContextManager[None]:
    """Show the progress and solver log on stderr for the block when ``enabled`` (stdout keeps the report).

    Parameters
    ----------
    enabled : bool
        Whether the log is on (--log).

    Returns
    -------
    contextlib.AbstractContextManager[None]
        The block's context manager.
    """
    return show_log(sys.stderr) if enabled else contextlib.nullcontext()


def load_instance_for_cli(path: Path, vehicles: int | None = None, variant: str | None = None) -> Instance:
    """Load an instance for any command; its warnings and demand splits go to stderr.

    Parameters
    ----------
    path : Path
        The INSTANCE argument.
    vehicles : int, optional
        The --vehicles value.
    variant : str, optional
        The --variant value (Golden–Taillard files).

    Returns
    -------
    Instance
        The loaded instance.
    """
    instance = load_instance(path, vehicles=vehicles, variant=variant)
    for warning in instance.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for origin, parts in instance.splits:
        typer.echo(f"note: {origin} exceeds every allowed capacity and is split into {', '.join(parts)}", err=True)
    return instance


@app.command()
def show(instance_path: Path = typer.Argument(..., metavar="INSTANCE"), vehicles: int | None = VEHICLES_OPTION, variant: str | None = VARIANT_OPTION) -> None:
    """Summarise an instance: DCs, demand, fleet, side constraints, distances, splits."""
    typer.echo(instance_summary(load_instance_for_cli(instance_path, vehicles, variant)))


@app.command()
def check(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file."),
    json_output: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    vehicles: int | None = VEHICLES_OPTION,
    bound: float | None = typer.Option(None, "--bound", metavar="SECONDS", help="Also prove a lower bound on the optimum within SECONDS (route-based and strong models) and print the plan's certified gap."),
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Check a plan against every rule; exit 0 when feasible, 1 with violations."""
    if bound is not None:
        check_bound_seconds(bound)
    check_map_path(map_path, [instance_path, plan_path])
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path)
    plan = load_plan(plan_path, instance)
    report = check_plan(instance, plan)
    if not json_output:
        typer.echo(check_table(instance, report))
    write_map_file(instance, plan, map_path, err=json_output)  # violations are marked on the map
    gap_fields = certified_gap(instance, plan, bound, feasible=report.feasible, json_output=json_output)
    if json_output:
        typer.echo(json.dumps(report.to_dict() | gap_fields, indent=2))
    raise typer.Exit(0 if report.feasible else EXIT_VIOLATIONS)


def certified_gap(instance: Instance, plan: Plan, seconds: float | None, *, feasible: bool, json_output: bool) -> dict[str, object]:
    """`check --bound`: print "plan X km; optimum >= Y km; within Z%" and return its JSON fields.

    Parameters
    ----------
    instance : Instance
        The instance of the plan.
    plan : Plan
        The checked plan.
    seconds : float or None
        The --bound value (None: no bound asked).
    feasible : bool
        Whether the plan passed the checker (an infeasible plan gets no gap).
    json_output : bool
        Print nothing on stdout (the fields go into the JSON document).

    Returns
    -------
    dict[str, object]
        ``bound``, ``gap`` and ``bound_method`` for the JSON document (empty without --bound).
    """
    if seconds is None:
        return {}
    if not feasible:
        typer.echo("no certified gap: the plan breaks rules", err=True)
        return {"bound": None}
    from milp_milkrun.bounds import bound_plan  # HiGHS model building only when asked

    certified = bound_plan(instance, plan, seconds)
    if not json_output:
        typer.echo(certified.line())
        typer.echo(f"bound: {certified.how}")
    return {"bound": certified.bound, "gap": certified.gap, "bound_method": certified.how}


@app.command()
def convert(
    source: Path = typer.Argument(..., metavar="INSTANCE", help="A .vrp, Solomon .txt (or .json) instance."),
    target: Path = typer.Argument(..., metavar="OUT.json"),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Write an instance in the JSON format (e.g. a CVRPLIB .vrp file, or one variant of a Golden-Taillard file)."""
    check_output_path(target, field="target", suffixes=INSTANCE_SUFFIXES, inputs=[source])
    instance = load_instance_for_cli(source, vehicles, variant)
    write_instance(instance, target)
    typer.echo(f"wrote {target} ({len({dc.origin for dc in instance.dcs})} DCs, {len(instance.vehicles)} vehicles)")


# ---- commands: solve, inspect ---------------------------------------------------------------
@app.command("solve")
def solve_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    model: Model = typer.Option(Model.auto, "--model", help="Formulation: auto (the engine that proves most: exact for tiny instances, else routes then strong), exact (the seed's Equations 1-14), strong (same plans; vehicle classes + capacity cuts) or routes (set partitioning by column generation: the strongest bound, plan from its routes)."),
    backend: Backend = typer.Option(Backend.highs, "--backend", help="Modelling backend: highs (Pyomo + HiGHS) or pulp (PuLP)."),
    solver: Solver | None = typer.Option(None, "--solver", help="Solver of the pulp backend: cbc (default) or highs."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for the whole solve (build included)."),
    gap: float = typer.Option(1e-4, "--gap", help="Relative gap at which a plan counts as optimal."),
    threads: int | None = typer.Option(None, "--threads", help="Solver threads (default: the solver's choice)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the solver (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON (and no log unless --log)."),
    output: Path | None = typer.Option(None, "--output", help="Write the plan (.json or VRPLIB .sol)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes into this image (e.g. routes.png)."),
    log: bool | None = typer.Option(None, "--log/--quiet", help="Stream the progress and the solver log to stderr (default: on, off with --json)."),
    warm_start: bool = typer.Option(True, "--warm-start/--no-warm-start", help="Start the MIP from the heuristic's plan."),
    vehicles: int | None = VEHICLES_OPTION,
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
) -> None:
    """Solve an instance; exit 0 with a plan (optimal or feasible), 1 without (infeasible or none found)."""
    check_result_files([instance_path, factors_path], output, plot)
    factors = factors_for_objective(objective.value if objective else None, factors_path)
    log = not json_output if log is None else log
    options = SolveOptions(
        time_limit=time_limit, gap=gap, threads=threads, seed=seed, log=log,
        objective=objective.value if objective else None, factors=factors,
    )
    choices = {"model": model.value, "backend": backend.value, "solver": solver.value if solver else None}
    check_choices(**choices)
    check_map_path(map_path, [instance_path, factors_path, output, plot])
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path)
    with log_on_stderr(log):
        result = solve_instance(instance, **choices, options=options, heuristic_start=warm_start)
    with interrupts_deferred():  # a further Ctrl-C must not cut the report or the plan file short
        report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
        write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(0 if result.plan is not None else EXIT_VIOLATIONS)


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


def report_solve_result(instance: Instance, result: SolveResult, *, json_output: bool, output: Path | None, plot: Path | None) -> None:
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


# ---- command: inspect (begin) ----
@app.command("inspect")
def inspect_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    write: Path | None = typer.Option(None, "--write", help="Also write the model as model.lp or model.mps (names in DC ids and vehicle names)."),
    family: str | None = typer.Option(None, "--family", help="Print the rows of one equation family in readable algebra (e.g. eq05_capacity)."),
    vehicle: str | None = typer.Option(None, "--vehicle", help="With --family: only the rows of this vehicle (e.g. large-1)."),
    dc: str | None = typer.Option(None, "--dc", help="With --family: only the rows that name this DC."),
    limit: int = typer.Option(20, "--limit", min=1, help="With --family: print at most this many rows."),
    relaxation: bool = typer.Option(False, "--relaxation", help="Print the LP bounds of the exact, strong and route-based models side by side."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="With --relaxation: seconds for each LP."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Show the exact model family by family (rows, mathematics), its node-to-DC table, single rows and LP bounds."""
    from milp_milkrun.models.exact import build_exact_model  # Pyomo is slow to import: only when needed
    from milp_milkrun.models.inspect import format_inspection, inspect_model
    from milp_milkrun.reports.model_files import family_rows, node_table, write_readable_model

    if write is not None:
        check_output_path(write, field="write", suffixes=MODEL_SUFFIXES, inputs=[instance_path])
    if (vehicle is not None or dc is not None) and family is None:
        raise InputError("vehicle" if vehicle is not None else "dc", "needs --family (the family whose rows to print)")
    if relaxation and not time_limit > 0:
        raise InputError("time_limit", f"must be a positive number of seconds, got {time_limit}")
    instance = load_instance_for_cli(instance_path, vehicles)
    model = build_exact_model(instance)
    if family is not None:
        typer.echo("\n".join(family_rows(instance, model, family, vehicle=vehicle, dc=dc, limit=limit)))
    else:
        typer.echo(format_inspection(inspect_model(instance, model)))
        typer.echo("\nNodes of the formulation (x^t_ij and u_i are indexed by node; files and rows name the ids):")
        typer.echo(node_table(instance))
    if write is not None:
        write_readable_model(instance, model, write)
        typer.echo(f"wrote {write} (variables and rows named by DC id and vehicle, e.g. x[HUB,DC1,large-1])")
    if relaxation:
        from milp_milkrun.reports.relaxations import compare_relaxations, relaxation_table

        typer.echo("")
        typer.echo(relaxation_table(instance, compare_relaxations(instance, time_limit)))
# ---- command: inspect (end) ----


# ---- command: crosscheck --------------------------------------------------------------------
@app.command("crosscheck")
def crosscheck_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for each MIP run (and each LP relaxation)."),
    threads: int | None = typer.Option(None, "--threads", help="Solver threads (default: the solvers' choice)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of both solvers (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Build the exact model in Pyomo and in PuLP, solve with HiGHS and CBC, compare; exit 0 if they agree, else 1."""
    from milp_milkrun.crosscheck import crosscheck  # Pyomo is slow to import: only when needed

    instance = load_instance_for_cli(instance_path, vehicles)
    report = crosscheck(instance, time_limit, threads=threads, seed=seed)
    typer.echo(json.dumps(report.to_dict(), indent=2) if json_output else report.table())
    raise typer.Exit(0 if report.agree else EXIT_VIOLATIONS)


# ---- command: heuristic ---------------------------------------------------------------------
@app.command("heuristic")
def heuristic_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds of search."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed (printed with the result); same seed, same search."),
    max_iterations: int | None = typer.Option(None, "--max-iterations", help="Also stop after this many iterations (reproducible on any machine)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    output: Path | None = typer.Option(None, "--output", help="Write the plan (.json or VRPLIB .sol)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes into this image (e.g. routes.png)."),
    log: bool = typer.Option(False, "--log", help="Print each new best plan to stderr as the search finds it."),
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
    vehicles: int | None = VEHICLES_OPTION,
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Find a good feasible plan fast (no bound); exit 0 with a plan, 1 without."""
    from milp_milkrun.heuristics import solve_heuristic
    from milp_milkrun.heuristics.solver import check_heuristic_limits

    check_heuristic_limits(time_limit, max_iterations, seed)
    check_result_files([instance_path, factors_path], output, plot)
    check_map_path(map_path, [instance_path, factors_path, output, plot])
    factors = factors_for_objective(objective.value if objective else None, factors_path)
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path)
    costs = route_costs(instance, objective.value if objective else None, factors)
    with log_on_stderr(log):
        result = solve_heuristic(instance, time_limit=time_limit, seed=seed, log=log, max_iterations=max_iterations, costs=costs)
    report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
    write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(0 if result.plan is not None else EXIT_VIOLATIONS)


# ---- command: emissions ---------------------------------------------------------------------
@app.command("emissions")
def emissions_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file, from any tool."),
    factors_path: Path | None = typer.Option(None, "--factors", help="Emission factors file laid over the defaults (docs/emissions.md)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    csv_output: bool = typer.Option(False, "--csv", help="Print the report as CSV: one row per route, per DC and for the hub."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Greenhouse-gas emissions of a plan under ISO 14083: per route, per DC (allocated) and for the hub.

    Exit 0, or 1 when the plan breaks a rule (its emissions are still reported, with the checker's verdict on stderr).
    """
    from milp_milkrun.emissions import plan_emissions
    from milp_milkrun.reports.emissions_table import emissions_csv, emissions_table

    if json_output and csv_output:
        raise InputError("csv", "choose one of --json and --csv")
    factors = load_factors(factors_path)
    instance = load_instance_for_cli(instance_path, vehicles)
    plan = load_plan(plan_path, instance)
    report = plan_emissions(instance, plan, factors)
    verdict = check_plan(instance, plan)
    if not verdict.feasible:
        typer.echo(f"warning: the plan breaks {len(verdict.violations)} rule(s); `milkrun check` lists them", err=True)
    if json_output:
        typer.echo(json.dumps(report.to_dict() | {"plan_feasible": verdict.feasible}, indent=2))
    else:
        typer.echo(emissions_csv(report) if csv_output else emissions_table(report), nl=not csv_output)
    raise typer.Exit(0 if verdict.feasible else EXIT_VIOLATIONS)


# ---- command: batch -------------------------------------------------------------------------
@app.command("batch")
def batch_command(
    source: Path = typer.Argument(..., metavar="MANIFEST_OR_DIR", help="A manifest.json of hubs, or a folder of hub instances."),
    out: Path = typer.Option(..., "--out", help="RESULTS_DIR: one folder per hub, summary.csv and summary.json."),
    workers: int = typer.Option(1, "--workers", help="Local worker processes (each solves one hub on one thread)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a Dask scheduler (tcp://host:8786) instead of the local pool."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds per hub."),
    model: Model = typer.Option(Model.routes, "--model", help="Formulation for every hub: routes (certified gap, the default), strong or exact."),
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of every solve (printed and stored with each result)."),
) -> None:
    """Solve every hub of a network; rerunning skips the hubs already solved with the same instance and options.

    Exit 0 when every hub has a result, 1 naming the hubs that failed, 130 after Ctrl-C (finished results kept).
    """
    from milp_milkrun.batch import BatchOptions, load_hubs, run_batch, summary_rows
    from milp_milkrun.reports.batch_progress import batch_display, summary_table

    if workers < 1:
        raise InputError("workers", f"must be at least 1, got {workers}")
    if scheduler is not None and workers != 1:
        raise InputError("workers", "give either --workers (a local pool) or --scheduler (a Dask cluster), not both")
    check_result_files([factors_path], None, None)
    options = BatchOptions(
        model=model.value, time_limit=time_limit, seed=seed,
        objective=objective.value if objective else None, factors=str(factors_path) if factors_path else None,
    )
    tasks = load_hubs(source)
    make_output_folder(out, field="out")
    typer.echo(f"batch: {len(tasks)} hubs, model {model.value}, {time_limit:g} s per hub, seed {seed}, "
               f"{'Dask scheduler ' + scheduler if scheduler else f'{workers} local worker(s)'}", err=True)
    with batch_display() as show:
        report = run_batch(tasks, out, options, workers=workers, scheduler=scheduler, show=show)
    typer.echo(summary_table(summary_rows(report)))
    typer.echo(f"wrote {out / 'summary.csv'} ({report.reused} hub(s) reused from an earlier run)", err=True)
    if report.interrupted:
        typer.echo("interrupted by Ctrl-C: every finished result is kept; rerun to solve the rest", err=True)
        raise typer.Exit(130)
    if report.failed:
        typer.echo(f"failed: {', '.join(report.failed)} (reasons in their result.json)", err=True)
        raise typer.Exit(EXIT_VIOLATIONS)


# ---- command: map (begin) ----
@app.command("map")
def map_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance with coordinates."),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file."),
    output: Path = typer.Option(..., "-o", "--output", help="The .html file to write."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Write an interactive map of a plan: one .html file that works offline; broken rules are marked."""
    check_map_path(output, [instance_path, plan_path], field="output")
    instance = load_instance_for_cli(instance_path, vehicles)
    check_map_drawable(instance, output, field="INSTANCE")
    plan = load_plan(plan_path, instance)
    report = check_plan(instance, plan)
    from milp_milkrun.plotting.web_map import save_route_map

    save_route_map(instance, plan, output, report)
    verdict = "feasible" if report.feasible else f"{len(report.violations)} broken rule(s) marked"
    typer.echo(f"wrote map {output} ({len(report.routes)} routes, {report.distance:,.1f} {instance.distance_unit}; {verdict})")
# ---- command: map (end) ----

# ---- command: fleet (begin) ----
@app.command("fleet")
def fleet_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance: the hub and its current fleet."),
    types_path: Path | None = typer.Option(None, "--types", help="Candidate vehicle types with costs (.json, docs/fleet.md); default: the instance's own types and costs, unlimited."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds in all: a third for the current fleet's plan, the rest for the recommendation."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of both solves (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
    output: Path | None = typer.Option(None, "--output", help="Write the recommended fleet's plan (.json or VRPLIB .sol)."),
    log: bool = typer.Option(False, "--log", help="Stream the progress and solver logs of both solves to stderr."),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Recommend the cheapest fleet (which types, how many of each) with its plan, bound and the change from the current fleet.

    Exit 0 with a recommended plan, 1 without one.
    """
    from milp_milkrun.fleet import recommend_fleet
    from milp_milkrun.io.fleet_candidates import load_candidates
    from milp_milkrun.options import check_seconds
    from milp_milkrun.reports.fleet_table import fleet_table

    check_seconds("time_limit", time_limit)
    check_result_files([instance_path, types_path], output, None)
    candidates = load_candidates(types_path) if types_path is not None else None
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    with log_on_stderr(log):
        rec = recommend_fleet(instance, candidates, time_limit=time_limit, seed=seed, log=log)
    plan = rec.recommended.result.plan
    with interrupts_deferred():
        typer.echo(json.dumps(rec.to_dict(), indent=2) if json_output else fleet_table(rec))
        if plan is not None and output is not None:
            write_plan(plan, output, rec.recommended.instance)
            typer.echo(f"wrote plan {output} (for the recommended fleet: instance {rec.recommended.instance.name})", err=json_output)
    raise typer.Exit(0 if plan is not None else EXIT_VIOLATIONS)
# ---- command: fleet (end) ----


if __name__ == "__main__":
    main()
