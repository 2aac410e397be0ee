"""The ``milkrun`` command: a thin layer over the Python API.

Every command loads its input through :mod:`milp_milkrun.io`; bad input raises ``InputError``,
which :func:`main` prints as one line naming the field and exits with code 2 (never a traceback).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import typer

try:  # typer >= 0.22 carries its own copy of click; the exceptions are those of the copy it runs
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer runs the click package
    from click import exceptions as click_errors  # type: ignore[no-redef]

from milp_milkrun.checker import check_plan
from milp_milkrun.emissions import load_factors
from milp_milkrun.emissions.factors import factors_for_objective
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan, write_instance, write_plan
from milp_milkrun.io.files import (
    INSTANCE_SUFFIXES,
    MODEL_SUFFIXES,
    PLAN_SUFFIXES,
    PLOT_SUFFIXES,
    check_output_path,
    make_output_folder,
)
from milp_milkrun.objectives import Objective, route_costs
from milp_milkrun.options import check_seconds
from milp_milkrun.plan import Plan
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.reports.instance_summary import instance_summary
from milp_milkrun.reports.solve_table import solve_table
from milp_milkrun.runtime.highs import exits_past_abandoned_runs
from milp_milkrun.runtime.interrupts import interrupts_deferred
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import (
    DEFAULT_SEED,
    Backend,
    Model,
    SolveOptions,
    Solver,
    SolveResult,
    check_bound_seconds,
    check_choices,
)
from milp_milkrun.solve import solve as solve_instance

app = typer.Typer(
    name="milkrun",
    help="Exact MILP models of the milk-run routing problem of a parcel hub, solved with open solvers.\n\n"
    "Exit codes: 0 success; 1 a plan or a batch failed its checks (a plan breaks a rule or none was found, "
    "the backends disagree, a hub failed); 2 the request is wrong (one line naming the flag or field); "
    "3 a plan the toolkit made failed the independent checker (a bug); 130 interrupted (Ctrl-C).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: flags shown as flags, not as "--json <bool>"
)

# The one exit-code rule of every command (README "Exit codes"; tests/test_cli_exit_codes.py runs each command)
EXIT_VIOLATIONS = 1  # a plan or a batch failed its checks: a rule broken, no plan found, backends disagree, a hub failed
EXIT_BAD_INPUT = 2  # the request is wrong: one line on stderr naming the flag or field
EXIT_INTERNAL = 3  # a plan the toolkit produced failed the independent checker: a bug
EXIT_INTERRUPTED = 130  # Ctrl-C (after writing what was finished)
MIN_SOLVER_SECONDS = 0.01  # what a solver gets when reading the input used up the whole time limit
WRITE_SECONDS = 0.5  # kept of the time limit for drawing each plot or map (measured: 0.2-0.4 s on ecom74)

# The library names the field of an option; a user fixes the flag.
FLAG_OF_FIELD = {
    "time_limit": "--time-limit", "gap": "--gap", "threads": "--threads", "seed": "--seed", "model": "--model",
    "backend": "--backend", "solver": "--solver", "max_iterations": "--max-iterations", "bound_seconds": "--bound",
    "output": "--output", "plot": "--plot", "write": "--write", "vehicles": "--vehicles", "csv": "--csv",
    "workers": "--workers", "out": "--out", "scheduler": "--scheduler", "objective": "--objective", "factors": "--factors",
    "strict": "--strict",
    # ---- map and inspect flags (begin)
    "map": "--map", "family": "--family", "vehicle": "--vehicle", "dc": "--dc",
    # ---- map and inspect flags (end)
    # ---- fleet and Golden-Taillard flags (begin)
    "variant": "--variant", "types": "--types",
    # ---- fleet and Golden-Taillard flags (end)
    # ---- emissions flags (begin)
    "fuel": "--fuel", "grid_kg_co2e_per_kwh": "--grid-factor",
    # ---- emissions flags (end)
}


@exits_past_abandoned_runs  # a HiGHS run left behind after Ctrl-C must not abort the process at exit
def main() -> None:
    """Console-script entry point: every failure of the request ends as one line on stderr and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        fail(f"error: {FLAG_OF_FIELD.get(exc.field, exc.field)}: {exc.message}", EXIT_BAD_INPUT)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click_errors.ClickException as exc:  # a flag of the wrong type, an unknown option, a missing argument
        where = f" (see {exc.ctx.command_path} --help)" if isinstance(exc, click_errors.UsageError) and exc.ctx else ""
        fail(f"error: {one_line(exc.format_message())}{where}", EXIT_BAD_INPUT)
    except CheckFailedError as exc:
        fail(f"internal error (please report): {exc}", EXIT_INTERNAL)
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted (Ctrl-C)", EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def fail(line: str, code: int) -> None:
    """Print ``line`` on stderr and exit with ``code``.

    Parameters
    ----------
    line : str
        The message, one line.
    code : int
        The exit code.
    """
    typer.echo(line, err=True)
    sys.exit(code)


def one_line(text: str) -> str:
    """A message folded onto one line.

    Parameters
    ----------
    text : str
        A message that may span lines.

    Returns
    -------
    str
        Its lines joined by spaces.
    """
    return " ".join(text.split())


def show_version(value: bool) -> None:
    """``--version``: print the installed version and stop.

    Parameters
    ----------
    value : bool
        Whether --version was given.
    """
    if value:
        typer.echo(f"milkrun {package_version('milp-milkrun')}")
        raise typer.Exit(0)


@app.callback()
def top_level(
    version: bool = typer.Option(False, "--version", callback=show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Exact MILP models of the milk-run routing problem of a parcel hub, solved with open solvers."""


def plural(n: int, noun: str) -> str:
    """``1 route``, ``2 routes``.

    Parameters
    ----------
    n : int
        The count.
    noun : str
        The singular noun.

    Returns
    -------
    str
        The count with its noun.
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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


def check_map_drawable(instance: Instance, map_path: Path | None, field: str = "map", plot: Path | None = None) -> None:
    """Refuse a map or a plot of an instance without coordinates before any solving is done.

    Parameters
    ----------
    instance : Instance
        The loaded instance.
    map_path : Path or None
        The --map value.
    field : str
        The field named in the error about the map.
    plot : Path or None
        The --plot value.
    """
    for path, name in ((map_path, field), (plot, "plot")):
        if path is not None and instance.coordinates == "none":
            raise InputError(name, f"instance {instance.name} has no coordinates (only a distance matrix) to draw")


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


@app.command(short_help="Summarise an instance.")
def show(instance_path: Path = typer.Argument(..., metavar="INSTANCE"), vehicles: int | None = VEHICLES_OPTION, variant: str | None = VARIANT_OPTION) -> None:
    """Summarise an instance: DCs, demand, fleet, side constraints, distances, splits."""
    typer.echo(instance_summary(load_instance_for_cli(instance_path, vehicles, variant)))


@app.command(short_help="Check a plan against every rule (and bound its gap).")
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

    log = progress_shown(None)  # progress on a terminal (stdout keeps the report)
    if log:
        typer.echo(f"bounding the optimum for up to {seconds:g} s (route-based and strong models)...", err=True)
    with log_on_stderr(log):
        certified = bound_plan(instance, plan, seconds, log=log)
    if not json_output:
        typer.echo(certified.line())
        typer.echo(f"bound: {certified.how}")
    return {"bound": certified.bound, "gap": certified.gap, "bound_method": certified.how}


@app.command(short_help="Write an instance as JSON or VRPLIB (from .json, .vrp, Solomon .txt or Golden-Taillard).")
def convert(
    source: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    target: Path = typer.Argument(..., metavar="OUT", help="The file to write: .json, or VRPLIB .vrp (PyVRP's fleet sections)."),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
    strict: bool = typer.Option(False, "--strict", help="For .vrp: refuse an instance with a constraint VRPLIB cannot state (stop limits, consecutive pairs) instead of writing it as a comment line."),
) -> None:
    """Write an instance as JSON or VRPLIB .vrp (e.g. a CVRPLIB file as JSON, or a hub for PyVRP); constraints VRPLIB cannot state are named on stderr."""
    check_output_path(target, field="target", suffixes=INSTANCE_SUFFIXES, inputs=[source])
    instance = load_instance_for_cli(source, vehicles, variant)
    comments_only = write_instance(instance, target, strict=strict)
    for phrase in comments_only:
        typer.echo(f"warning: not representable in VRPLIB, written as a comment line only: {phrase}", err=True)
    typer.echo(f"wrote {target} ({plural(len({dc.origin for dc in instance.dcs}), 'DC')}, {fleet_size(instance)})")


def fleet_size(instance: Instance) -> str:
    """``3 vehicles``, or ``unlimited fleet`` (a count built for an unlimited type is no fleet size).

    Parameters
    ----------
    instance : Instance
        The instance.

    Returns
    -------
    str
        The fleet size in words.
    """
    if any(vt.unlimited for vt in instance.vehicle_types):
        limited = sum(vt.count or 0 for vt in instance.vehicle_types if not vt.unlimited)
        return "unlimited fleet" + (f" (plus {plural(limited, 'limited vehicle')})" if limited else "")
    return plural(len(instance.vehicles), "vehicle")


# ---- commands: solve, inspect ---------------------------------------------------------------
@app.command("solve", short_help="Solve an instance with a MILP model: plan, bound, gap.")
def solve_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    model: Model = typer.Option(Model.auto, "--model", help="Formulation: auto (the engine that proves most: routes, then strong if a gap is left), exact (the seed's Equations 1-14), strong (same plans; vehicle classes + capacity cuts) or routes (set partitioning by column generation: the strongest bound, plan from its routes)."),
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
    """Solve an instance; exit 0 with a plan (optimal or feasible), 1 without (infeasible or none found), 130 after Ctrl-C."""
    started = time.monotonic()
    check_result_files([instance_path, factors_path], output, plot)
    factors = factors_for_objective(objective.value if objective else None, factors_path)
    log = not json_output if log is None else log
    options = SolveOptions(
        time_limit=time_limit, gap=gap, threads=threads, seed=seed, log=log,
        objective=objective.value if objective else None, factors=factors,
    )
    solver_name = solver.value if solver else None
    check_choices(model=model.value, backend=backend.value, solver=solver_name, objective=objective.value if objective else None)
    check_map_path(map_path, [instance_path, factors_path, output, plot])
    instance = load_instance_for_cli(instance_path, vehicles, variant)
    check_map_drawable(instance, map_path, plot=plot)
    prepare_drawing(plot)
    options = replace(options, time_limit=time_left(time_limit, started, plot, map_path))  # the limit covers reading, building and writing
    with unwritten_on_interrupt(output, plot, map_path):  # a Ctrl-C the solve did not take names what is not written
        with log_on_stderr(log):
            result = solve_instance(
                instance, model=model.value, backend=backend.value, solver=solver_name, options=options, heuristic_start=warm_start
            )
        with interrupts_deferred():  # a further Ctrl-C must not cut the report or the plan file short
            report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
            write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(solve_exit_code(result))


def progress_shown(log: bool | None) -> bool:
    """Whether a long command shows its progress on stderr: as --log/--quiet say, else when stderr is a terminal.

    Parameters
    ----------
    log : bool or None
        The --log/--quiet value (None: neither given).

    Returns
    -------
    bool
        Whether to show the progress.
    """
    return sys.stderr.isatty() if log is None else log


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


@contextlib.contextmanager
def unwritten_on_interrupt(*paths: Path | None) -> Iterator[None]:
    """Turn a Ctrl-C that escapes the run into one line naming the files that were not written, and exit 130.

    Parameters
    ----------
    *paths : Path or None
        The files the command was asked to write (None: not asked).

    Returns
    -------
    Iterator[None]
        The block's context manager.
    """
    try:
        yield
    except KeyboardInterrupt:
        asked = [str(p) for p in paths if p is not None]
        fail("interrupted (Ctrl-C)" + (f": not written: {', '.join(asked)}" if asked else ""), EXIT_INTERRUPTED)


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
@app.command("inspect", short_help="Show the exact model, its rows and its LP bounds.")
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
    check_seconds("time_limit", time_limit)
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
@app.command("crosscheck", short_help="Compare the Pyomo/HiGHS and PuLP/CBC builds of the exact model.")
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

    SolveOptions(time_limit=time_limit, threads=threads, seed=seed)  # every flag checked before the instance is read
    instance = load_instance_for_cli(instance_path, vehicles)
    report = crosscheck(instance, time_limit, threads=threads, seed=seed)
    typer.echo(json.dumps(report.to_dict(), indent=2) if json_output else report.table())
    raise typer.Exit(0 if report.agree else EXIT_VIOLATIONS)


# ---- command: heuristic ---------------------------------------------------------------------
@app.command("heuristic", short_help="Find a good plan fast (no bound).")
def heuristic_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds of search."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed (printed with the result); same seed, same search."),
    max_iterations: int | None = typer.Option(None, "--max-iterations", help="Also stop after this many iterations (reproducible on any machine)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    output: Path | None = typer.Option(None, "--output", help="Write the plan (.json or VRPLIB .sol)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes into this image (e.g. routes.png)."),
    log: bool | None = typer.Option(None, "--log/--quiet", help="Print each new best plan, and progress every 5 s, to stderr (default: on when stderr is a terminal)."),
    objective: Objective | None = OBJECTIVE_OPTION,
    factors_path: Path | None = FACTORS_OPTION,
    vehicles: int | None = VEHICLES_OPTION,
    map_path: Path | None = MAP_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Find a good feasible plan fast (no bound); exit 0 with a plan, 1 without, 130 after Ctrl-C."""
    started = time.monotonic()
    from milp_milkrun.heuristics import solve_heuristic
    from milp_milkrun.heuristics.solver import check_heuristic_limits

    check_heuristic_limits(time_limit, max_iterations, seed)
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
            result = solve_heuristic(instance, time_limit=time_left(time_limit, started, plot, map_path), seed=seed, log=log,
                                     max_iterations=max_iterations, costs=costs)
        with interrupts_deferred():
            report_solve_result(instance, result, json_output=json_output, output=output, plot=plot)
            write_map_file(instance, result.plan, map_path, err=json_output)
    raise typer.Exit(solve_exit_code(result))


# ---- command: emissions ---------------------------------------------------------------------
@app.command("emissions", short_help="Emissions of a plan under ISO 14083.")
def emissions_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file, from any tool."),
    factors_path: Path | None = typer.Option(None, "--factors", help="Emission factors file laid over the defaults (docs/emissions.md)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    csv_output: bool = typer.Option(False, "--csv", help="Print the report as CSV: one row per route, per DC and for the hub."),
    vehicles: int | None = VEHICLES_OPTION,
    fuel: str | None = typer.Option(None, "--fuel", help="Every vehicle burns this fuel of the same unit instead of its profile's (e.g. B7, HVO; docs/emissions.md)."),
    grid_factor: float | None = typer.Option(None, "--grid-factor", help="kg CO2e per kWh (well-to-wheel) of the grid that charges ELEC vehicles."),
) -> None:
    """Greenhouse-gas emissions of a plan under ISO 14083: per route, per DC (allocated) and for the hub.

    Exit 0, or 1 when the plan breaks a rule (its emissions are still reported, with the checker's verdict on stderr).
    """
    from milp_milkrun.emissions import plan_emissions
    from milp_milkrun.reports.emissions_table import emissions_csv, emissions_table

    if json_output and csv_output:
        raise InputError("csv", "choose one of --json and --csv")
    factors = load_factors(factors_path)
    factors = factors.with_grid(grid_factor) if grid_factor is not None else factors
    factors = factors.with_fuel(fuel) if fuel is not None else factors
    instance = load_instance_for_cli(instance_path, vehicles)
    plan = load_plan(plan_path, instance)
    verdict = check_plan(instance, plan)
    try:
        report = plan_emissions(instance, plan, factors)
    except InputError as exc:
        if verdict.feasible:
            raise
        # a plan naming DCs or vehicles the instance lacks fails its checks (exit 1, as for `check`)
        fail(f"error: the plan does not fit instance {instance.name} ({exc.message}); `milkrun check` lists every broken rule", EXIT_VIOLATIONS)
    if not verdict.feasible:
        typer.echo(f"warning: the plan breaks {plural(len(verdict.violations), 'rule')}; `milkrun check` lists them", err=True)
    if json_output:
        typer.echo(json.dumps(report.to_dict() | {"plan_feasible": verdict.feasible}, indent=2))
    else:
        typer.echo(emissions_csv(report) if csv_output else emissions_table(report), nl=not csv_output)
    raise typer.Exit(0 if verdict.feasible else EXIT_VIOLATIONS)


# ---- command: batch -------------------------------------------------------------------------
@app.command("batch", short_help="Solve every hub of a network (local pool or Dask).")
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
    from milp_milkrun.batch import BatchOptions, check_batch, check_engine, load_hubs, run_batch, summary_rows
    from milp_milkrun.reports.batch_progress import batch_display, summary_table

    check_engine(workers, scheduler)
    check_result_files([factors_path], None, None)
    options = BatchOptions(
        model=model.value, time_limit=time_limit, seed=seed,
        objective=objective.value if objective else None, factors=str(factors_path) if factors_path else None,
    )
    tasks = load_hubs(source)
    check_batch(tasks, out, options, workers=workers, scheduler=scheduler)
    make_output_folder(out, field="out")
    header = (f"batch: {plural(len(tasks), 'hub')}, model {model.value}, {time_limit:g} s per hub, seed {seed}, "
              f"{'Dask scheduler ' + scheduler if scheduler else plural(workers, 'local worker')}")
    with batch_display(header) as show:
        report = run_batch(tasks, out, options, workers=workers, scheduler=scheduler, show=show)
    typer.echo(summary_table(summary_rows(report)))
    typer.echo(f"wrote {out / 'summary.csv'} ({plural(report.reused, 'hub')} reused from an earlier run)", err=True)
    if report.interrupted:
        typer.echo(f"interrupted by Ctrl-C: every finished result is kept; {plural(len(report.not_run), 'hub')} not run (rerun to solve them)", err=True)
        raise typer.Exit(130)
    if report.failed:
        typer.echo(f"failed: {', '.join(report.failed)} (reasons in their result.json)", err=True)
        raise typer.Exit(EXIT_VIOLATIONS)


# ---- command: map (begin) ----
@app.command("map", short_help="Write an interactive offline map of a plan.")
def map_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance with coordinates."),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file."),
    output: Path = typer.Option(..., "-o", "--output", help="The .html file to write."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Write an interactive map of a plan: one .html file that works offline; broken rules are marked (exit 1 then)."""
    check_map_path(output, [instance_path, plan_path], field="output")
    instance = load_instance_for_cli(instance_path, vehicles)
    check_map_drawable(instance, output, field="INSTANCE")
    plan = load_plan(plan_path, instance)
    report = check_plan(instance, plan)
    from milp_milkrun.plotting.web_map import save_route_map

    save_route_map(instance, plan, output, report)
    verdict = "feasible" if report.feasible else f"{plural(len(report.violations), 'broken rule')} marked"
    typer.echo(f"wrote map {output} ({plural(len(report.routes), 'route')}, {report.distance:,.1f} {instance.distance_unit}; {verdict})")
    raise typer.Exit(0 if report.feasible else EXIT_VIOLATIONS)
# ---- command: map (end) ----

# ---- command: fleet (begin) ----
@app.command("fleet", short_help="Recommend the cheapest fleet for a hub.")
def fleet_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance: the hub and its current fleet."),
    types_path: Path | None = typer.Option(None, "--types", help="Candidate vehicle types with costs (.json, docs/fleet.md); default: the instance's own types and costs, unlimited."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds in all: a third for the current fleet's plan, the rest for the recommendation."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of both solves (printed with the result)."),
    json_output: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
    output: Path | None = typer.Option(None, "--output", help="Write the recommended fleet's plan (.json or VRPLIB .sol)."),
    log: bool | None = typer.Option(None, "--log/--quiet", help="Stream the progress and solver logs of both solves to stderr (default: on when stderr is a terminal)."),
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
                typer.echo(f"wrote plan {output} (for the recommended fleet: instance {rec.recommended.instance.name})", err=json_output)
    interrupted = rec.current.result.interrupted or rec.recommended.result.interrupted
    raise typer.Exit(EXIT_INTERRUPTED if interrupted else 0 if plan is not None else EXIT_VIOLATIONS)
# ---- command: fleet (end) ----



# ---- command: serve (begin) ----
@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(2, "--workers", help="Worker processes that run solve jobs (one job each at a time)."),
    data: Path = typer.Option(Path("milkrun-data"), "--data", help="DIR for the jobs and results (SQLite); kept across restarts."),
    max_queue: int = typer.Option(100, "--max-queue", help="Queued jobs beyond this get 429."),
    max_time_limit: float = typer.Option(300.0, "--max-time-limit", help="Seconds a solve job may ask for."),
    max_bound_seconds: float = typer.Option(30.0, "--max-bound-seconds", help="Seconds a plan check may spend on a certified bound."),
    max_body_bytes: int = typer.Option(5_000_000, "--max-body-bytes", help="Request bodies above this get 413."),
    drain_seconds: float = typer.Option(30.0, "--drain-seconds", help="On SIGTERM, how long running jobs may go on before they are stopped."),
    openapi: Path | None = typer.Option(None, "--openapi", help="Write the OpenAPI description to this .json file and exit."),
) -> None:
    """Serve the HTTP API (docs/api.md): milk-run emissions, plan checks, solve jobs. Set MILKRUN_API_TOKEN to require a bearer token."""
    import os

    from milp_milkrun.service import ServiceSettings
    from milp_milkrun.service.server import TOKEN_VARIABLE, serve, write_openapi

    if not 0 <= port <= 65535:
        raise InputError("--port", f"must be in 0..65535, got {port}")
    try:
        settings = ServiceSettings(data=data, workers=workers, max_queue=max_queue, max_time_limit=max_time_limit,
                                   max_bound_seconds=max_bound_seconds, max_body_bytes=max_body_bytes, drain_seconds=drain_seconds,
                                   token=os.environ.get(TOKEN_VARIABLE) or None)
    except InputError as error:
        raise InputError("--" + error.field.replace("_", "-"), error.message) from None
    if openapi is not None:
        write_openapi(check_output_path(openapi, field="--openapi", suffixes=(".json",)), settings)
        typer.echo(f"wrote {openapi}", err=True)
        return
    serve(settings, host=host, port=port)
# ---- command: serve (end) ----


def reports_interrupts(command: Callable[..., None]) -> Callable[..., None]:
    """A command that turns a Ctrl-C it did not handle itself into one line and exit 130.

    Parameters
    ----------
    command : callable
        A command's function.

    Returns
    -------
    callable
        The same command (its signature kept for typer).
    """

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> None:
        with unwritten_on_interrupt():
            command(*args, **kwargs)

    return wrapped


for _command in app.registered_commands:  # every command, however it ends, follows the exit-code rule
    _command.callback = reports_interrupts(_command.callback) if _command.callback else None


if __name__ == "__main__":
    main()
