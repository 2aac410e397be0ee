"""The ``milkrun`` command: a thin layer over the Python API.

Every command loads its input through :mod:`milp_milkrun.io`; bad input raises ``InputError``,
which :func:`main` prints as one line naming the field and exits with code 2 (never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan, write_instance
from milp_milkrun.reports.check_table import check_table
from milp_milkrun.reports.instance_summary import instance_summary

app = typer.Typer(
    name="milkrun",
    help="Exact MILP models of the milk-run routing problem of a parcel hub, solved with open solvers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_VIOLATIONS = 1  # `check`: the plan breaks a rule; `solve`: no plan (infeasible or none found)
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3  # a plan the toolkit produced failed the independent checker: a bug


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except CheckFailedError as exc:
        typer.echo(f"internal error (please report): {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


# ---- commands: show, check, convert (issue 2) ----------------------------------------------
VEHICLES_OPTION = typer.Option(None, "--vehicles", help="Fleet size for a .vrp file that states none (overrides the file).")


def load_instance_for_cli(path: Path, vehicles: int | None = None) -> Instance:
    """Load an instance for any command; its warnings and demand splits go to stderr."""
    instance = load_instance(path, vehicles=vehicles)
    for warning in instance.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for origin, parts in instance.splits:
        typer.echo(f"note: {origin} exceeds every allowed capacity and is split into {', '.join(parts)}", err=True)
    return instance


@app.command()
def show(instance_path: Path = typer.Argument(..., metavar="INSTANCE"), vehicles: int | None = VEHICLES_OPTION) -> None:
    """Summarise an instance: DCs, demand, fleet, side constraints, distances, splits."""
    typer.echo(instance_summary(load_instance_for_cli(instance_path, vehicles)))


@app.command()
def check(
    instance_path: Path = typer.Argument(..., metavar="INSTANCE"),
    plan_path: Path = typer.Argument(..., metavar="PLAN", help="A .json plan or a VRPLIB .sol file."),
    json_output: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Check a plan against every rule; exit 0 when feasible, 1 with violations."""
    instance = load_instance_for_cli(instance_path, vehicles)
    report = check_plan(instance, load_plan(plan_path, instance))
    typer.echo(json.dumps(report.to_dict(), indent=2) if json_output else check_table(instance, report))
    raise typer.Exit(0 if report.feasible else EXIT_VIOLATIONS)


@app.command()
def convert(
    source: Path = typer.Argument(..., metavar="INSTANCE", help="A .vrp (or .json) instance."),
    target: Path = typer.Argument(..., metavar="OUT.json"),
    vehicles: int | None = VEHICLES_OPTION,
) -> None:
    """Write an instance in the JSON format (e.g. a CVRPLIB .vrp file)."""
    instance = load_instance_for_cli(source, vehicles)
    write_instance(instance, target)
    typer.echo(f"wrote {target} ({len({dc.origin for dc in instance.dcs})} DCs, {len(instance.vehicles)} vehicles)")


# ---- commands: solve, inspect (issue 3) ----------------------------------------------------

# ---- command: crosscheck (issue 4) ----------------------------------------------------------

# ---- command: heuristic (issue 5) -----------------------------------------------------------


if __name__ == "__main__":
    main()
