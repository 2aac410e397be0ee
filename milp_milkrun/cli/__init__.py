"""The ``milkrun`` command: a thin layer over the Python API.

:mod:`milp_milkrun.cli.app` holds the typer app and :func:`main`; the command modules register their
commands on it when imported. This package imports every one of them, lists the commands in the order
of ``milkrun --help`` and wraps each so that a Ctrl-C it does not handle ends as one line and exit 130.
"""

from __future__ import annotations

from milp_milkrun.cli import instances, plans, serve, solving
from milp_milkrun.cli.app import FLAG_OF_FIELD, app, main, reports_interrupts

COMMAND_MODULES = (instances, plans, solving, serve)  # imported above: each registers its commands on the app
HELP_ORDER = (
    "show",
    "check",
    "convert",
    "solve",
    "inspect",
    "crosscheck",
    "heuristic",
    "emissions",
    "batch",
    "map",
    "fleet",
    "serve",
)


def help_position(name: str | None) -> int:
    """Where the command ``name`` is listed in ``milkrun --help``.

    Parameters
    ----------
    name : str or None
        The command's name.

    Returns
    -------
    int
        Its index in :data:`HELP_ORDER`.
    """
    if name not in HELP_ORDER:
        raise RuntimeError(f"command {name!r} is missing from milp_milkrun.cli.HELP_ORDER")
    return HELP_ORDER.index(name)


app.registered_commands.sort(key=lambda command: help_position(command.name))
for _command in app.registered_commands:  # every command, however it ends, follows the exit-code rule
    _command.callback = reports_interrupts(_command.callback) if _command.callback else None

__all__ = ["COMMAND_MODULES", "FLAG_OF_FIELD", "HELP_ORDER", "app", "main"]
