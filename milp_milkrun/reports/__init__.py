"""Plain-text reports for the terminal and notebooks: instance summaries, check tables, solve tables.

The public names: ``check_table`` (the checker's verdict as a table), and the model reports, imported
on first use (Pyomo is slow to import): ``node_table``, ``family_rows``, ``write_readable_model``,
``compare_relaxations`` and ``relaxation_table``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from milp_milkrun.reports.check_table import check_table  # the function, not its module, is the public name

_PUBLIC = {
    "node_table": "milp_milkrun.reports.model_files",
    "family_rows": "milp_milkrun.reports.model_files",
    "write_readable_model": "milp_milkrun.reports.model_files",
    "compare_relaxations": "milp_milkrun.reports.relaxations",
    "relaxation_table": "milp_milkrun.reports.relaxations",
}
__all__ = [
    "check_table",
    "compare_relaxations",
    "family_rows",
    "node_table",
    "relaxation_table",
    "write_readable_model",
]


def __getattr__(name: str) -> Any:
    """The public name ``name``, from its module (imported now)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)
