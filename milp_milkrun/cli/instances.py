"""Commands on instances: ``show``, ``convert`` and ``inspect`` (the exact model of an instance)."""

from __future__ import annotations

from pathlib import Path

import typer

from milp_milkrun.cli.app import VARIANT_OPTION, VEHICLES_OPTION, app, load_instance_for_cli, plural
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import write_instance
from milp_milkrun.io.files import INSTANCE_SUFFIXES, MODEL_SUFFIXES, check_output_path
from milp_milkrun.options import check_seconds
from milp_milkrun.reports.instance_summary import instance_summary


@app.command("show", short_help="Summarise an instance.")
def show(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
) -> None:
    """Summarise an instance: DCs, demand, fleet, side constraints, distances, splits."""
    typer.echo(instance_summary(load_instance_for_cli(instance_path, vehicles, variant)))


@app.command("convert", short_help="Write an instance as JSON or VRPLIB (from any format it reads).")
def convert(
    source: Path = typer.Argument(..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."),
    target: Path = typer.Argument(
        ..., metavar="OUT", help="The file to write: .json, or VRPLIB .vrp (PyVRP's fleet sections)."
    ),
    vehicles: int | None = VEHICLES_OPTION,
    variant: str | None = VARIANT_OPTION,
    strict: bool = typer.Option(
        False,
        "--strict",
        help="For .vrp: refuse an instance with a constraint VRPLIB cannot state (stop limits, consecutive pairs) instead of writing it as a comment line.",
    ),
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


@app.command("inspect", short_help="Show the exact model, its rows and its LP bounds.")
def inspect_command(
    instance_path: Path = typer.Argument(
        ..., metavar="INSTANCE", help="A .json, VRPLIB .vrp or Solomon .txt instance."
    ),
    write: Path | None = typer.Option(
        None, "--write", help="Also write the model as model.lp or model.mps (names in DC ids and vehicle names)."
    ),
    family: str | None = typer.Option(
        None, "--family", help="Print the rows of one equation family in readable algebra (e.g. eq05_capacity)."
    ),
    vehicle: str | None = typer.Option(
        None, "--vehicle", help="With --family: only the rows of this vehicle (e.g. large-1)."
    ),
    dc: str | None = typer.Option(None, "--dc", help="With --family: only the rows that name this DC."),
    limit: int = typer.Option(20, "--limit", min=1, help="With --family: print at most this many rows."),
    relaxation: bool = typer.Option(
        False, "--relaxation", help="Print the LP bounds of the exact, strong and route-based models side by side."
    ),
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
