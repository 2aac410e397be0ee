"""Commands on plans: ``check`` (with a certified gap), ``map`` and ``emissions``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from milp_milkrun.checker import check_plan
from milp_milkrun.cli.app import (
    EXIT_VIOLATIONS,
    MAP_OPTION,
    VARIANT_OPTION,
    VEHICLES_OPTION,
    app,
    check_map_drawable,
    check_map_path,
    fail,
    load_instance_for_cli,
    log_on_stderr,
    plural,
    progress_shown,
    write_map_file,
)
from milp_milkrun.emissions import load_factors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_plan
from milp_milkrun.plan import Plan
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.solve import check_bound_seconds


@app.command("check", short_help="Check a plan against every rule (and bound its gap).")
def check(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file."),
    json_output: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    vehicles: int | None = VEHICLES_OPTION,
    bound: float | None = typer.Option(
        None,
        "--bound",
        metavar="SECONDS",
        help="Also prove a lower bound on the optimum within SECONDS (route-based and strong models) and print the plan's certified gap.",
    ),
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


def certified_gap(
    instance: Instance, plan: Plan, seconds: float | None, *, feasible: bool, json_output: bool
) -> dict[str, object]:
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


@app.command("map", short_help="Write an interactive offline map of a plan.")
def map_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json or VRPLIB .vrp instance with coordinates."
    ),
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
    typer.echo(
        f"wrote map {output} ({plural(len(report.routes), 'route')}, {report.distance:,.1f} {instance.distance_unit}; {verdict})"
    )
    raise typer.Exit(0 if report.feasible else EXIT_VIOLATIONS)


@app.command("emissions", short_help="Emissions of a plan under ISO 14083.")
def emissions_command(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file, from any tool."),
    factors_path: Path | None = typer.Option(
        None, "--factors", help="Emission factors file laid over the defaults (docs/emissions.md)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    csv_output: bool = typer.Option(
        False, "--csv", help="Print the report as CSV: one row per route, per DC and for the hub."
    ),
    vehicles: int | None = VEHICLES_OPTION,
    fuel: str | None = typer.Option(
        None,
        "--fuel",
        help="Every vehicle burns this fuel of the same unit instead of its profile's (e.g. B7, HVO; docs/emissions.md).",
    ),
    grid_factor: float | None = typer.Option(
        None, "--grid-factor", help="kg CO2e per kWh (well-to-wheel) of the grid that charges ELEC vehicles."
    ),
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
        fail(
            f"error: the plan does not fit instance {instance.name} ({exc.message}); `milkrun check` lists every broken rule",
            EXIT_VIOLATIONS,
        )
    if not verdict.feasible:
        typer.echo(
            f"warning: the plan breaks {plural(len(verdict.violations), 'rule')}; `milkrun check` lists them", err=True
        )
    if json_output:
        typer.echo(json.dumps(report.to_dict() | {"plan_feasible": verdict.feasible}, indent=2))
    else:
        typer.echo(emissions_csv(report) if csv_output else emissions_table(report), nl=not csv_output)
    raise typer.Exit(0 if verdict.feasible else EXIT_VIOLATIONS)
