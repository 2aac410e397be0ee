"""The ``milkrun`` command: a thin layer over the Python API.

Every command loads its input through :mod:`milp_milkrun.io`; bad input raises ``InputError``,
which :func:`main` prints as one line naming the field and exits with code 2 (never a traceback).
"""

from __future__ import annotations

import sys

import typer

from milp_milkrun.errors import CheckFailedError, InputError

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

# ---- commands: solve, inspect (issue 3) ----------------------------------------------------

# ---- command: crosscheck (issue 4) ----------------------------------------------------------

# ---- command: heuristic (issue 5) -----------------------------------------------------------


if __name__ == "__main__":
    main()
