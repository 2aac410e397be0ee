"""The ``milkrun`` typer app: exit codes, flag names, error handling, :func:`main`, and what every command shares.

Every command loads its input through :func:`load_instance_for_cli`; bad input raises ``InputError``,
which :func:`main` prints as one line naming the field and exits with code 2 (never a traceback).
The commands live in the modules beside this one; :mod:`milp_milkrun.cli` registers them all.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import typer

try:  # typer >= 0.22 carries its own copy of click; the exceptions are those of the copy it runs
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer runs the click package
    from click import exceptions as click_errors  # type: ignore[no-redef]

from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance
from milp_milkrun.io.files import check_output_path
from milp_milkrun.plan import Plan
from milp_milkrun.runtime.highs import exits_past_abandoned_runs
from milp_milkrun.runtime.logs import show_log

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
EXIT_VIOLATIONS = (
    1  # a plan or a batch failed its checks: a rule broken, no plan found, backends disagree, a hub failed
)
EXIT_BAD_INPUT = 2  # the request is wrong: one line on stderr naming the flag or field
EXIT_INTERNAL = 3  # a plan the toolkit produced failed the independent checker: a bug
EXIT_INTERRUPTED = 130  # Ctrl-C (after writing what was finished)

# The library names the field of an option; a user fixes the flag.
FLAG_OF_FIELD = {
    "time_limit": "--time-limit",
    "gap": "--gap",
    "threads": "--threads",
    "seed": "--seed",
    "model": "--model",
    "backend": "--backend",
    "solver": "--solver",
    "max_iterations": "--max-iterations",
    "bound_seconds": "--bound",
    "output": "--output",
    "plot": "--plot",
    "write": "--write",
    "vehicles": "--vehicles",
    "csv": "--csv",
    "workers": "--workers",
    "out": "--out",
    "scheduler": "--scheduler",
    "objective": "--objective",
    "factors": "--factors",
    "strict": "--strict",
    # ---- map and inspect flags (begin)
    "map": "--map",
    "family": "--family",
    "vehicle": "--vehicle",
    "dc": "--dc",
    # ---- map and inspect flags (end)
    # ---- fleet and Golden-Taillard flags (begin)
    "variant": "--variant",
    "types": "--types",
    # ---- fleet and Golden-Taillard flags (end)
    # ---- emissions flags (begin)
    "fuel": "--fuel",
    "grid_kg_co2e_per_kwh": "--grid-factor",
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
    version: bool = typer.Option(
        False, "--version", callback=show_version, is_eager=True, help="Print the version and exit."
    ),
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


# ---- options shared by several commands
VEHICLES_OPTION = typer.Option(
    None,
    "--vehicles",
    help="Fleet size for a .vrp file that states none (overrides the file), or of a Solomon .txt file (default: unlimited).",
)
VARIANT_OPTION = typer.Option(
    None,
    "--variant",
    help="Variant of a Golden-Taillard golden_NN.json file: FSMF, FSMD, FSMFD, HVRPFD or HVRPD; of a Solomon .txt file: N (its first N customers, e.g. 25), "
    "optionally ',none' for unrounded distances (default: truncated to one decimal).",
)
OBJECTIVE_OPTION = typer.Option(
    None,
    "--objective",
    help="What to minimise: distance (the seed's Eq 1), cost (each vehicle type's fixed cost and cost per km) or emissions "
    "(well-to-wheel kg CO2e, ISO 14083; route-based model and heuristic). Default: the instance's objective (distance unless it says cost).",
)
FACTORS_OPTION = typer.Option(
    None,
    "--factors",
    help="Emission factors file laid over the defaults (with --objective emissions; docs/emissions.md).",
)
MAP_OPTION = typer.Option(
    None, "--map", help="Also write an interactive map of the plan (one self-contained .html file that works offline)."
)


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
