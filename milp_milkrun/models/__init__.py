"""The formulations, one module per model. The public names, imported on first use (Pyomo is slow to import):

``build_exact_model`` (the seed's Equations 1-14 in Pyomo), ``EXACT_FAMILIES`` (its equation families),
``inspect_model`` and ``format_inspection`` (rows and mathematics, family by family).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC = {
    "build_exact_model": "milp_milkrun.models.exact",
    "EXACT_FAMILIES": "milp_milkrun.models.families",
    "inspect_model": "milp_milkrun.models.inspect",
    "format_inspection": "milp_milkrun.models.inspect",
}
__all__ = ["EXACT_FAMILIES", "build_exact_model", "format_inspection", "inspect_model"]


def __getattr__(name: str) -> Any:
    """The public name ``name``, from its module (imported now)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)
